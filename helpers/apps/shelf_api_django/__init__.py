"""Django app "shelf_api": the bookshelf as a JSON API with Django Ninja, where only a book's owner may delete it."""
