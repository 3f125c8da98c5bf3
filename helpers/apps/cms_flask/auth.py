"""Staff logins for the Flask back office with Flask-Login: the staff table, the login page, the session."""

from __future__ import annotations

from flask import Flask, redirect, render_template_string, request, url_for
from flask_admin.form import SecureForm
from flask_login import LoginManager, UserMixin, login_user
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import PasswordField, StringField

from helpers.apps.cms_flask.models import db

login_manager = LoginManager()

PAGE = """<!doctype html><html lang="en"><title>Log in</title><h1>Newsroom back office</h1>
<form method="post">{{ form.csrf_token }}<p>{{ form.username.label }} {{ form.username }}</p>
<p>{{ form.password.label }} {{ form.password }}</p><button>Log in</button><p>{{ error }}</p></form></html>"""


class Staff(UserMixin, db.Model):
    """Someone who may use the back office; only a hash of the password is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))


class LoginForm(SecureForm):
    """The login form; SecureForm adds a CSRF token, as on the admin's own forms."""

    username = StringField("Username")
    password = PasswordField("Password")


@login_manager.user_loader
def load_staff(staff_id: str) -> Staff | None:
    """Return the logged-in staff member whose id the session holds."""
    return db.session.get(Staff, int(staff_id))


def login():
    """Show the login form; on a right username and password, log in and go back to the page asked for."""
    form = LoginForm(request.form)
    if request.method == "POST" and form.validate():  # validate() checks the CSRF token
        staff = db.session.scalars(db.select(Staff).filter_by(username=form.username.data)).first()
        if staff and check_password_hash(staff.password_hash, form.password.data or ""):
            login_user(staff)
            target = request.args.get("next", "")
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("admin.index")  # only a path on this site: a URL would make this an open redirect
            return redirect(target)
    error = "Wrong username or password, or the form expired: try again." if request.method == "POST" else ""
    return render_template_string(PAGE, form=form, error=error)


def register_auth(app: Flask) -> None:
    """Add Flask-Login's session handling and the login page at /login/ to `app`."""
    login_manager.init_app(app)
    app.add_url_rule("/login/", "login", login, methods=["GET", "POST"])


def add_staff(username: str, password: str) -> Staff:
    """Create a staff member, storing a salted hash of the password (werkzeug.security), never the password."""
    staff = Staff(username=username, password_hash=generate_password_hash(password))
    db.session.add(staff)
    db.session.commit()
    return staff
