"""Every notebook's exercises; importing this package registers their checks."""
from . import nb00  # noqa: F401
