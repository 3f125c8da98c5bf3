"""One schema for a new book, written three times: a Django form, a Marshmallow schema, a Pydantic model.

The rules: title required, 1–200 characters; year an integer from 1450 to 2030; ISBN-13 with a valid
checksum; tags an optional list of at most 10 short strings; submitter an email address.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from marshmallow import RAISE, Schema, fields, validate, validates
from marshmallow import ValidationError as MarshmallowValidationError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def isbn13_ok(isbn: str) -> bool:
    """Tell whether `isbn` is 13 digits (hyphens allowed) with a valid check digit."""
    digits = isbn.replace("-", "")
    if len(digits) != 13 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits))
    return total % 10 == 0


# --- Django forms: built for HTML form posts, where every value arrives as a string ---
class TagsField(forms.Field):
    """A list of at most 10 tags of at most 30 characters (forms have no list field built in)."""

    def to_python(self, value: Any) -> list[str]:
        if value in (None, "", []):
            return []
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise DjangoValidationError("Enter a list of strings.")
        if len(value) > 10 or any(len(t) > 30 for t in value):
            raise DjangoValidationError("At most 10 tags of at most 30 characters.")
        return value


class NewBookForm(forms.Form):
    """A new book, as a Django form."""

    title = forms.CharField(max_length=200)
    year = forms.IntegerField(min_value=1450, max_value=2030)
    isbn = forms.CharField(max_length=17)
    tags = TagsField(required=False)
    submitter = forms.EmailField()

    def clean_isbn(self) -> str:
        isbn = self.cleaned_data["isbn"]
        if not isbn13_ok(isbn):
            raise DjangoValidationError("Enter a valid ISBN-13 (its check digit is wrong).")
        return isbn


# --- Marshmallow: a schema that loads dicts (e.g. JSON) into Python values ---
class NewBookSchema(Schema):
    """A new book, as a Marshmallow schema (unknown fields raise, the default)."""

    class Meta:
        unknown = RAISE

    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    year = fields.Integer(required=True, validate=validate.Range(min=1450, max=2030))
    isbn = fields.String(required=True)
    tags = fields.List(
        fields.String(validate=validate.Length(max=30)), validate=validate.Length(max=10), load_default=list
    )
    submitter = fields.Email(required=True)

    @validates("isbn")
    def check_isbn(self, value: str, **kwargs: Any) -> None:
        if not isbn13_ok(value):
            raise MarshmallowValidationError("Not a valid ISBN-13 (its check digit is wrong).")


# --- Pydantic: type hints are the schema; lax mode coerces where it is safe, strict mode never ---
def _isbn(value: str) -> str:
    if not isbn13_ok(value):
        raise ValueError("not a valid ISBN-13 (its check digit is wrong)")
    return value


def _email(value: str) -> str:
    # pydantic's EmailStr needs the email-validator package, which the course does not install.
    if not EMAIL.match(value):
        raise ValueError("not a valid email address")
    return value


class NewBook(BaseModel):
    """A new book, as a Pydantic model (lax mode: the default)."""

    title: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=1450, le=2030)
    isbn: Annotated[str, AfterValidator(_isbn)]
    tags: list[Annotated[str, Field(max_length=30)]] = Field(default_factory=list, max_length=10)
    submitter: Annotated[str, AfterValidator(_email)]


class NewBookStrict(NewBook):
    """The same model in strict mode: no coercion, e.g. "2001" is not an int."""

    model_config = ConfigDict(strict=True)
