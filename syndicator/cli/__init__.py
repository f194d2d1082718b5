"""The command line: one module per pipeline's commands, registered on the `main` group (app.py).

May import every other package; nothing imports it. Add a command as a new module here and name
its commands in app.COMMAND_MODULES: a command line imports only the module of the command it runs.
"""

from .app import main

__all__ = ["main"]
