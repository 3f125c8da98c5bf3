"""The bookshelf API in FastAPI: Pydantic, OAuth2 password flow, a signed JWT (PyJWT) and Argon2 (pwdlib) to delete."""
# No "from __future__ import annotations" here: FastAPI reads the annotations of the nested routes at runtime.

import secrets
import threading
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pwdlib import PasswordHash
from pydantic import BaseModel, ConfigDict, Field

ALGORITHM = "HS256"
password_hash = PasswordHash.recommended()  # Argon2id, what FastAPI's security tutorial uses


class BookIn(BaseModel):
    """What a client sends to add a book."""

    model_config = ConfigDict(strict=True)
    title: str = Field(min_length=1, max_length=200)
    author: str = Field(min_length=1, max_length=100)
    year: int = Field(ge=1450, le=2100)


class BookOut(BookIn):
    """A stored book, with its id."""

    id: int


class Token(BaseModel):
    """A signed bearer token (a JWT)."""

    access_token: str
    token_type: str = "bearer"


def issue_token(secret: str, username: str, minutes: float) -> str:
    """Sign a JWT naming the user, expiring after `minutes` (negative: already expired)."""
    expires = datetime.now(UTC) + timedelta(minutes=minutes)
    return jwt.encode({"sub": username, "exp": expires}, secret, algorithm=ALGORITHM)


def create_app(users: dict[str, str] | None = None, token_minutes: float = 15) -> FastAPI:
    """Build the API; `users` maps usernames to passwords, stored only as hashes."""
    app = FastAPI(title="Bookshelf (FastAPI)")
    app.state.secret = secrets.token_urlsafe(32)  # fresh per app: tokens never outlive it
    app.state.users = {name: password_hash.hash(pw) for name, pw in (users or {}).items()}
    books: dict[int, dict] = {}
    ids = count(1)
    lock = threading.Lock()  # def routes run in a thread pool
    oauth2 = OAuth2PasswordBearer(tokenUrl="auth/token", auto_error=False)

    def current_user(token: Annotated[str | None, Depends(oauth2)]) -> str | None:
        """Return the token's user, None without a token; 401 for a bad or expired one."""
        if token is None:
            return None
        try:
            return jwt.decode(token, app.state.secret, algorithms=[ALGORITHM])["sub"]
        except jwt.InvalidTokenError as exc:  # bad signature, ExpiredSignatureError, malformed
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, f"Invalid token: {exc}", headers={"WWW-Authenticate": "Bearer"}
            ) from None

    def required_user(user: Annotated[str | None, Depends(current_user)]) -> str:
        if user is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "Not authenticated", headers={"WWW-Authenticate": "Bearer"}
            )
        return user

    @app.get("/books")
    def list_books() -> list[BookOut]:
        return list(books.values())

    @app.post("/books", status_code=201)
    def add_book(book: BookIn, user: Annotated[str | None, Depends(current_user)]) -> BookOut:
        with lock:
            row = {"id": next(ids), **book.model_dump(), "owner": user}
            books[row["id"]] = row
        return row

    @app.get("/books/{book_id}")
    def get_book(book_id: int) -> BookOut:
        if book_id not in books:
            raise HTTPException(404, "Book not found")
        return books[book_id]

    @app.delete("/books/{book_id}")
    def delete_book(book_id: int, user: Annotated[str, Depends(required_user)]) -> dict:
        if book_id not in books:
            raise HTTPException(404, "Book not found")
        if books[book_id]["owner"] != user:
            raise HTTPException(403, "Only the book's owner may delete it")
        with lock:
            books.pop(book_id, None)
        return {"deleted": book_id}

    @app.post("/auth/token")
    def token(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
        stored = app.state.users.get(form.username)
        if stored is None or not password_hash.verify(form.password, stored):
            raise HTTPException(401, "Wrong username or password", headers={"WWW-Authenticate": "Bearer"})
        return Token(access_token=issue_token(app.state.secret, form.username, token_minutes))

    return app
