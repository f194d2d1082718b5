"""The command line: one module per pipeline's commands, registered on the `main` group (app.py).

May import every other package; nothing imports it. Add a command as a new module here and import it below.
"""

from . import build, crosspost, daemon, importer, init, sources  # noqa: F401  (registers the commands on `main`)
from .app import main

__all__ = ["main"]
