"""Django migrations and Alembic in throwaway projects: each step does what notebook 04 says, and nothing is left."""

from __future__ import annotations

import pytest

from helpers.components import migrations as m

BOOKS = [("Dune", 1965), ("Emma", 1815)]


@pytest.fixture(autouse=True)
def nothing_left_before_and_after():
    before = m.leftovers()
    yield
    assert m.leftovers() == before, "a migrations project was left in the temporary folder"


def test_django_add_fill_rename_and_roll_back():
    with m.DjangoProject() as p:
        out = p.manage("makemigrations shelf", "migrate")  # two commands, one process
        assert "Create model Book" in out and "Applying shelf.0001_initial... OK" in out
        assert out.startswith("$ python manage.py makemigrations shelf") and "\n$ python manage.py migrate" in out
        for title, year in BOOKS:
            p.execute("INSERT INTO shelf_book (title, year) VALUES (?, ?)", (title, year))
        p.use_models("django_models_2.py")
        assert "Add field slug" in p.manage("makemigrations shelf")
        assert 'ADD COLUMN "slug"' in p.manage("sqlmigrate shelf 0002")
        p.add_migration("0003_fill_slugs.py", "django_fill_slugs.py")
        p.manage("migrate")
        assert p.rows("SELECT slug FROM shelf_book ORDER BY id") == [("dune-1965",), ("emma-1815",)]

        p.use_models("django_models_3.py")
        out = p.manage("makemigrations shelf --noinput")  # not told: drop and add
        assert "Remove field slug" in out and "Add field handle" in out
        p.manage("migrate")
        assert p.rows("SELECT handle FROM shelf_book") == [(None,), (None,)]
        p.manage("migrate shelf 0002")  # roll back past the data migration
        assert p.tables()["shelf_book"] == ["id", "title", "year", "slug"]
        p.remove_migration("0004")
        out = p.manage("makemigrations shelf", answers="y\n")  # told: a rename
        assert "[y/N] y\n" in out
        assert "Rename field slug on book to handle" in out
        assert "RENAME COLUMN" in p.manage("sqlmigrate shelf 0004")
        p.manage("migrate")
        assert p.rows("SELECT handle FROM shelf_book ORDER BY id") == [("dune-1965",), ("emma-1815",)]
        assert len(p.migrations()) == 4
        assert "…" in m.unstamped(p.migration("0001")) and " on 20" not in m.unstamped(p.migration("0001"))
    assert not p.root.exists()


def test_alembic_autogenerates_adds_fills_and_reads_a_rename_as_drop_and_add():
    with m.AlembicProject() as p:
        assert "op.create_table('book'" in p.revision("create book", "0001")
        p.upgrade()
        for title, year in BOOKS:
            p.execute("INSERT INTO book (title, year) VALUES (?, ?)", (title, year))
        p.use_models("sqlalchemy_models_2.py")
        assert "op.add_column('book', sa.Column('slug'" in p.revision("add slug", "0002")
        assert "ALTER TABLE book ADD COLUMN slug" in p.sql("0001", "0002")
        p.add_revision("0003_fill_slugs.py", "alembic_fill_slugs.py")
        p.upgrade()
        assert p.rows("SELECT slug FROM book ORDER BY id") == [("dune-1965",), ("emma-1815",)]
        p.use_models("sqlalchemy_models_3.py")
        text = p.revision("rename slug", "0004")
        assert "op.add_column('book', sa.Column('handle'" in text and "op.drop_column('book', 'slug')" in text
        p.upgrade()
        assert p.rows("SELECT handle FROM book") == [(None,), (None,)]
        p.downgrade("0002")
        assert p.tables()["book"] == ["id", "title", "year", "slug"]
        assert p.rows("SELECT slug FROM book") == [(None,), (None,)]
        assert p.migrations() == [
            "0001_create_book.py",
            "0002_add_slug.py",
            "0003_fill_slugs.py",
            "0004_rename_slug.py",
        ]
    assert not p.root.exists()


def test_a_new_project_deletes_the_previous_one_of_its_kind():
    first = m.DjangoProject()
    second = m.DjangoProject()
    try:
        assert not first.root.exists() and second.root.exists()
        assert len([p for p in m.leftovers() if "django" in p.name]) == 1
    finally:
        second.close()


def test_bad_step_and_failing_command_are_explained():
    with pytest.raises(ValueError, match="django_models_1.py"):
        m.step_source("../settings.py")
    with m.DjangoProject() as p:
        with pytest.raises(RuntimeError, match="no_such_command"):
            p.manage("no_such_command")


def test_a_failing_command_says_why_in_plain_text_even_where_colour_is_asked_for(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")  # Python 3.13 colours its tracebacks when asked; 3.11 never does
    with m.DjangoProject() as p:
        with pytest.raises(RuntimeError) as failed:
            p.manage("shell -c 'raise ValueError(\"no such book\")'")
    message = str(failed.value)
    assert message.splitlines()[-1] == "ValueError: no such book" and "\x1b[" not in message


def test_the_kernels_own_database_is_never_touched():
    from django.db import connection

    from helpers.serving.django_kernel import setup_django

    setup_django()
    before = sorted(connection.introspection.table_names())
    with m.DjangoProject() as p:
        p.manage("makemigrations shelf")
        p.manage("migrate")
        assert "shelf_book" in p.tables()
    with m.AlembicProject() as a:
        a.revision("create book", "0001")
        a.upgrade()
    assert sorted(connection.introspection.table_names()) == before
    assert "shelf_book" not in before and "alembic_version" not in before


def test_manage_wants_commands_as_strings_and_beside_hides_the_date():
    with m.DjangoProject() as p:
        with pytest.raises(ValueError, match="manage.py commands"):
            p.manage()
        with pytest.raises(ValueError, match="manage.py commands"):
            p.manage(["migrate"])  # type: ignore[arg-type]
    shown = m.beside("# Generated by Django 5.2.19 on 2026-11-29 20:40\nx = 1", "SELECT 1;").data
    assert "2026-11-29" not in shown and "Generated by Django 5.2.19 on …" in shown and "SELECT 1;" in shown


def test_leftovers_lists_this_processs_open_projects_and_not_another_kernels(tmp_path, monkeypatch):
    # Another kernel's project, open in the same temporary folder at the same time (CI runs notebooks side by side).
    monkeypatch.setattr(m.tempfile, "tempdir", str(tmp_path))
    (tmp_path / f"{m.PREFIX}django-someone-else").mkdir()
    project = m.DjangoProject()
    try:
        assert m.leftovers() == [project.root] and project.root.parent == tmp_path
    finally:
        project.close()
    assert m.leftovers() == []
