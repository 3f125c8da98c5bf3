"""The newsroom back office with Flask, Flask-SQLAlchemy and Flask-Admin: the rival of cms_django."""

from __future__ import annotations

from flask import Flask

from helpers.apps.cms_articles import ARTICLES
from helpers.apps.cms_flask.admin import register_admin
from helpers.apps.cms_flask.models import Article, Author, Section, db


def create_app() -> Flask:
    """Build the CMS with its own in-memory database, the sample articles and the admin at /admin/."""
    app = Flask("cms_flask")
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    # The admin's forms need a secret key for their session; fresh per app, never committed.
    app.config["SECRET_KEY"] = __import__("secrets").token_urlsafe(32)
    db.init_app(app)
    register_admin(app)
    with app.app_context():
        db.create_all()
        load_sample()

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
