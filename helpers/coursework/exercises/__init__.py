"""Every notebook's exercises, by id: the one registry the checks, the grader and the tests read."""

from __future__ import annotations

from helpers.coursework.exercise import Exercise
from helpers.coursework.exercises import nb00, nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09

EXERCISES: dict[str, Exercise] = {}
for _module in (nb00, nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09):
    for _id, _ex in _module.exercise.items.items():
        if _id in EXERCISES:
            raise ValueError(f"exercise {_id!r} is declared in two notebooks")
        EXERCISES[_id] = _ex


def exercise_ids(notebook: str | None = None) -> list[str]:
    """List the exercise ids, all of them or those of one notebook ("02")."""
    ids = [i for i in EXERCISES if notebook is None or i.split(".")[0] == notebook]
    return sorted(ids, key=lambda i: tuple(int(part) for part in i.split(".")))


def get_exercise(id: str) -> Exercise:
    """Return exercise `id`, or raise KeyError naming the ones that exist."""
    try:
        return EXERCISES[id]
    except KeyError:
        raise KeyError(f"no exercise {id!r}; the exercises are: {', '.join(EXERCISES)}") from None
