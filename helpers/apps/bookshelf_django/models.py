"""Models of the "bookshelf" app."""
