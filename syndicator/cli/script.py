"""The `syndicator` script (and `python -m syndicator`): the command group, then, after `build`, a quick exit.

A no-op `syndicator build` is mostly start-up and shut-down. First, a plain `syndicator build`
with nothing changed is answered from the last build's quick stamp (cli/quick.py) before click
and the config are imported. Then, after any `build`, tearing down the interpreter would free
every object the build made (tens of thousands of paths and problems) one by one, for nothing:
once its output is flushed and the atexit handlers (logging's among them) have run, the process
leaves with os._exit and the same status. Other commands (the daemon's threads, the servers)
end the ordinary way. Tests that invoke `main` in-process never come here.
"""

from __future__ import annotations

import atexit
import os
import sys

from .quick import kept_methods, quick_build

QUICK_EXIT = frozenset({"build"})  # commands that leave nothing behind that the teardown would finish
_VALUE_OPTIONS = frozenset({"--config"})  # options of the group that take a value


def command_name(args: list[str]) -> str | None:
    """The command a command line names: its first word that is neither an option nor an option's value."""
    words = iter(args)
    for word in words:
        if word in _VALUE_OPTIONS:
            next(words, None)
        elif word == "--":
            return next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def run() -> None:
    """Run the command line; after a quick-exit command, leave without the interpreter's teardown."""
    args = sys.argv[1:]
    quick = quick_build(args)
    if quick is not None:
        leave(quick)
    if command_name(args) in QUICK_EXIT:
        from .stand_in import stand_in

        stand_in("inspect")  # dataclasses' import of it (with ast and dis): a build's classes never need it
    methods = kept_methods(args)  # a plain `syndicator build` keeps the dataclasses' methods for the next
    if methods is not None:
        methods.install()
    from .app import main  # click and the config: the command line proper

    if command_name(args) not in QUICK_EXIT:
        main(prog_name="syndicator")
        return
    try:
        main(prog_name="syndicator")
        status: object = 0
    except SystemExit as exc:
        status = exc.code
    if methods is not None:
        methods.remove()
        methods.keep()
    leave(status)


def leave(status: object) -> None:
    """Exit with `status` as SystemExit would, skipping only the freeing of objects at shutdown."""
    if status is not None and not isinstance(status, int):
        print(status, file=sys.stderr)  # what the interpreter does with SystemExit("message")
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe, say: the interpreter reports it as it always does
        raise SystemExit(status) from None
    atexit._run_exitfuncs()  # logging.shutdown among them; it clears them, so none runs twice
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        os._exit(120)  # the interpreter's status when flushing the standard streams fails at exit
    os._exit(status or 0)
