"""The newsroom back office with Flask, Flask-SQLAlchemy, Flask-Admin and Flask-Login: the rival of cms_django."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from helpers.apps.cms_articles import ARTICLES
from helpers.apps.cms_flask.admin import register_admin
from helpers.apps.cms_flask.auth import add_staff, register_auth
from helpers.apps.cms_flask.models import Article, Author, Section, db


def create_app(staff: Mapping[str, str] | None = None) -> Flask:
    """Build the CMS: its own database, the sample articles, the admin at /admin/, and /login/ for `staff` (name: password)."""
    app = Flask("cms_flask")
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    # Logins and the forms' CSRF tokens live in the signed session cookie; the key is fresh per app, never committed.
    app.config["SECRET_KEY"] = __import__("secrets").token_urlsafe(32)
    db.init_app(app)
    register_auth(app)
    register_admin(app)
    with app.app_context():
        db.create_all()
        load_sample()
        for username, password in (staff or {}).items():
            add_staff(username, password)

    @app.get("/cms/published/")
    def published():
        rows = db.session.scalars(db.select(Article).filter_by(status="published").order_by(Article.title))
        return {"articles": [{"title": a.title, "author": a.author.name, "section": a.section.name} for a in rows]}

    return app


def load_sample() -> int:
    """Fill the database with the same articles as the Django CMS; return how many."""
    authors: dict[str, Author] = {}
    sections: dict[str, Section] = {}
    for title, section, author, status in ARTICLES:
        authors.setdefault(author, Author(name=author, email=f"{author.lower()}@example.com"))
        sections.setdefault(section, Section(name=section))
        db.session.add(
            Article(
                title=title,
                body=f"{title}. Written by {author}.",
                status=status,
                author=authors[author],
                section=sections[section],
            )
        )
    db.session.commit()
    return db.session.query(Article).count()
