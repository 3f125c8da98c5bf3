"""The bookshelf API in Django Ninja: Pydantic schemas, OpenAPI for free, a signed token to delete."""

from __future__ import annotations

from helpers.serving.django_kernel import setup_django

setup_django()  # Django Ninja reads Django's settings when it is imported

from django.contrib.auth import authenticate, login  # noqa: E402
from django.core import signing  # noqa: E402
from django.shortcuts import get_object_or_404  # noqa: E402
from ninja import Field, NinjaAPI, Schema, Status  # noqa: E402
from ninja.errors import HttpError  # noqa: E402
from ninja.security import HttpBearer  # noqa: E402

from helpers.apps.shelf_api_django.models import Book  # noqa: E402

TOKEN_SALT = "shelf-api-token"  # signing.dumps salt: a token for this API can't be replayed elsewhere
TOKEN_MAX_AGE = 15 * 60  # seconds a token stays valid


class BookIn(Schema):
    """What a client sends to add a book; "1965" is not a year, as in the other apps."""

    title: str = Field(min_length=1, max_length=200)
    author: str = Field(min_length=1, max_length=100)
    year: int = Field(ge=1450, le=2100, strict=True)


class BookOut(Schema):
    """A stored book, with its id."""

    id: int
    title: str
    author: str
    year: int


class Credentials(Schema):
    """A username and password."""

    username: str
    password: str


class Token(Schema):
    """A signed bearer token."""

    access_token: str
    token_type: str = "bearer"


def issue_token(user_id: int, issued_at: float | None = None) -> str:
    """Sign the user id with the SECRET_KEY and the time: tamper-evident and expiring, no table needed."""
    if issued_at is None:
        return signing.dumps({"user": user_id}, salt=TOKEN_SALT)
    return _SignedAt(issued_at, salt=TOKEN_SALT).sign_object({"user": user_id})  # e.g. an hour ago: expired


class _SignedAt(signing.TimestampSigner):
    """A signer whose clock says `at` (seconds since the epoch), to make a token that has already expired."""

    def __init__(self, at: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self._at = at

    def timestamp(self) -> str:
        return signing.b62_encode(int(self._at))


class SignedToken(HttpBearer):
    """Authorization: Bearer <token>, checked with django.core.signing."""

    def authenticate(self, request, token: str):
        try:
            data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:  # tampered, or SignatureExpired (a subclass)
            return None  # Ninja answers 401
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(pk=data["user"], is_active=True).first()


api = NinjaAPI(title="Bookshelf (Django Ninja)", urls_namespace="shelf_api")


@api.get("/books", response=list[BookOut])
def list_books(request):
    return Book.objects.all()


@api.post("/books", response={201: BookOut})
def add_book(request, book: BookIn):
    owner = SignedToken()(request)  # optional: a book added with a token belongs to its user
    return Status(201, Book.objects.create(**book.dict(), owner=owner))


@api.get("/books/{book_id}", response=BookOut)
def get_book(request, book_id: int):
    return get_object_or_404(Book, id=book_id)


@api.post("/auth/token", response=Token)
def token(request, credentials: Credentials):
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None:
        raise HttpError(401, "Wrong username or password")
    return {"access_token": issue_token(user.pk)}


@api.post("/auth/login")
def session_login(request, credentials: Credentials):
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None:
        raise HttpError(401, "Wrong username or password")
    login(request, user)  # sets the session cookie (and rotates the CSRF token)
    return {"user": user.username}


# A bearer token only: the browser never attaches it by itself, so this endpoint needs no CSRF token.
# (Ninja's django_auth would accept the session cookie instead, and then check CSRF, as views.py does.)
@api.delete("/books/{book_id}", auth=SignedToken())
def delete_book(request, book_id: int):
    book = get_object_or_404(Book, id=book_id)
    if book.owner_id != request.auth.pk:
        raise HttpError(403, "Only the book's owner may delete it")
    book.delete()
    return {"deleted": book_id}
