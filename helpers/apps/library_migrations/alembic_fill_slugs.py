"""fill slugs

Revision ID: 0003
Revises: 0002
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# A table stub as it is at this revision: a data migration never imports today's models.
book = sa.table(
    "book",
    sa.column("id", sa.Integer),
    sa.column("title", sa.String),
    sa.column("year", sa.Integer),
    sa.column("slug", sa.String),
)


def slugify(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def upgrade():
    conn = op.get_bind()
    rows = conn.execute(sa.select(book.c.id, book.c.title, book.c.year).where(book.c.slug.is_(None))).all()
    for id_, title, year in rows:
        conn.execute(book.update().where(book.c.id == id_).values(slug=slugify(f"{title} {year}")))


def downgrade():
    op.execute(book.update().values(slug=None))
