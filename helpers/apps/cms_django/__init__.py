"""Django app "cms" (stub until its notebook fills it in)."""
