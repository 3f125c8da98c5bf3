"""A Django app (label "notebook") that models defined in notebook cells belong to."""
