"""The command line: one module per pipeline's commands, registered on the `main` group (app.py).

May import every other package; nothing imports it. Add a command as a new module here and name
its commands in app.COMMAND_MODULES: a command line imports only the module of the command it runs.
`main` is loaded on first use, so the `syndicator` script (script.py) can answer a plain
`syndicator build` with nothing changed before click is imported.
"""

from typing import Any

__all__ = ["main"]


def __getattr__(name: str) -> Any:
    """`main` (app.py) on first use (PEP 562)."""
    if name == "main":
        from .app import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
