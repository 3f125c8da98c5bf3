"""API-first with FastAPI: Pydantic models are the contract, and the OpenAPI schema follows from them."""

from typing import Annotated

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field, create_model


class BookIn(BaseModel):
    """What a client sends to add a book."""

    title: Annotated[str, Field(min_length=1, max_length=200, examples=["Dune"])]
    author: Annotated[str, Field(min_length=1, max_length=100, examples=["Frank Herbert"])]
    year: Annotated[int, Field(ge=1450, le=2100, description="Year of first publication")]


def create_app(book_in: type[BookIn] = BookIn) -> FastAPI:
    """Build the books API from the request model `book_in`; the response model adds an id."""
    # The response model is derived from the request model, so a new field shows up in both.
    book = create_model("Book", __base__=book_in, id=(int, Field(ge=1)))
    app = FastAPI(title="Books API", version="1.0.0")
    books: dict[int, BaseModel] = {}

    @app.get("/books", response_model=list[book], operation_id="list_books")
    async def list_books():
        return list(books.values())

    @app.post("/books", response_model=book, status_code=201, operation_id="add_book")
    async def add_book(new: book_in):
        stored = book(id=len(books) + 1, **new.model_dump())
        books[stored.id] = stored
        return stored

    @app.get(
        "/books/{book_id}",
        response_model=book,
        operation_id="get_book",
        responses={404: {"description": "No book with this id"}},
    )
    async def get_book(book_id: int):
        if book_id not in books:
            raise HTTPException(status_code=404, detail=f"no book with id {book_id}")
        return books[book_id]

    return app


app = create_app()
