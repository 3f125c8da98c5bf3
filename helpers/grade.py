"""Grade learners' notebooks: `python -m helpers.grade SUBMISSIONS_DIR --out OUT_DIR` (see helpers.coursework.grade)."""

from __future__ import annotations

import sys

from helpers.coursework.grade import main

if __name__ == "__main__":
    sys.exit(main())
