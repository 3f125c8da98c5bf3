"""Django app "bookshelf" (stub until its notebook fills it in)."""
