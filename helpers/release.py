"""Write the class's copy of the course: `python -m helpers.release OUT_DIR` (see helpers.coursework.release)."""

from __future__ import annotations

import sys

from helpers.coursework.release import main

if __name__ == "__main__":
    sys.exit(main())
