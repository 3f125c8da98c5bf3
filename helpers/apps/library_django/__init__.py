"""Django app "library" (stub until its notebook fills it in)."""
