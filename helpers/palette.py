"""The course's colours: Okabe-Ito, safe for colour-blind readers, one colour per framework everywhere."""

from __future__ import annotations

DJANGO = "#009E73"  # bluish green
FLASK = "#0072B2"  # blue
FASTAPI = "#D55E00"  # vermillion
ORANGE = "#E69F00"  # for a fourth contender (SQLAlchemy, bare Jinja2, ...)
PURPLE = "#CC79A7"  # reddish purple: a fifth, or a marker such as a time cursor
SKY = "#56B4E9"
BLACK = "#000000"

FRAMEWORKS = {"Django": DJANGO, "Flask": FLASK, "FastAPI": FASTAPI}

# The same colours by name, for plots whose series are not frameworks (states of a request, model vs measured).
VERMILLION = FASTAPI
BLUE = FLASK
GREEN = DJANGO

# All eight Okabe-Ito colours, yellow (#F0E442) included though the course draws nothing in it:
# pictures reduced to few colours (helpers.display.figure_png) keep these exact.
OKABE_ITO = (BLACK, ORANGE, SKY, GREEN, "#F0E442", BLUE, VERMILLION, PURPLE)
