"""A helper process that gets a build ready while `syndicator build` walks the posts folder (issue 12).

An edit that renders nothing (build/quick_edit.py) costs mostly loading the config and the
modules that parse a post and update the build's state; the walk of the posts folder that finds
the edit costs about as much again, and does not need them. So once the quick stamp is found
good (cli/quick.py forks it even before that: its checks and the modules they need take a while
too), this process forks a helper that loads them while this one walks (a machine with two cores
does both at once). Then:
- nothing changed: the helper is killed, having written nothing and printed nothing (it may only
  load and read until it is told to go on), and the stamp's lines are printed as before;
- post files changed: the walk is handed to the helper, which runs the build as `syndicator
  build` would (rendering what the change needs) and hands back the lines to print, or no answer
  (it failed: then the full command runs and builds, or reports the error, as always).

While it gets ready the helper's stderr is /dev/null and its log records are held back: a helper
that is killed leaves no trace. Once told to go on it logs as the command does (cli/logs.py).
It is forked holding the build lock with this process (build/lock.py: the same locked file), so
no other build starts while it runs one, even if this process is killed meanwhile; and it leaves
when this process does before handing it the walk (the pipe closes unsent).
"""

from __future__ import annotations

import marshal
import os
import signal
import sys
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from ..build.stamp import Lines

# Loaded before anything else of the build (the helper is forked first): standard library only here;
# logging is imported by the helper alone (a `syndicator build` with nothing changed does without it).


class EditHelper:
    """The forked helper (see the module): made ready for the config at `config_path`, at POSIX time `now`."""

    def __init__(self, config_path: str, now: float) -> None:
        self._waited = False
        go_read, self._go = os.pipe()  # the walk, to the helper (closed unsent: stop)
        self._answer, answer_write = os.pipe()  # the lines, from the helper (nothing: no answer)
        self._pid = os.fork()
        if self._pid == 0:  # the helper: never returns
            os.close(self._go)
            os.close(self._answer)
            _helper(config_path, now, go_read, answer_write)
        os.close(go_read)
        os.close(answer_write)

    def finish(self, started_ns: int, files: dict[str, tuple[int, int]], key: tuple[str, int]) -> Lines | None:
        """Hand the walk over; the lines the helper finished the build with, or None (no answer)."""
        try:
            with open(self._go, "wb") as go:
                go.write(marshal.dumps((started_ns, files, key)))
        except OSError:  # the helper is gone (it failed getting ready): no answer
            pass
        with open(self._answer, "rb") as answer:
            data = answer.read()
        os.waitpid(self._pid, 0)
        self._waited = True
        try:
            return marshal.loads(data) if data else None
        except (EOFError, ValueError, TypeError):
            return None

    def stop(self) -> None:
        """Kill the helper (it has written nothing) and wait for it; nothing once it was stopped or finished."""
        if self._waited:
            return
        os.kill(self._pid, signal.SIGKILL)
        os.close(self._go)
        os.close(self._answer)
        os.waitpid(self._pid, 0)
        self._waited = True


def start(config_path: str, now: float) -> EditHelper | None:
    """A helper getting ready (see the module), or None where processes cannot be forked."""
    return EditHelper(config_path, now) if hasattr(os, "fork") else None


def _helper(config_path: str, now: float, go: int, answer: int) -> None:
    """The helper process's life: get ready quietly, wait for the walk, run the build, hand back its lines."""
    import logging

    status = 0
    try:
        stderr = os.dup(2)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        held: list[logging.LogRecord] = []
        logging.getLogger().handlers[:] = [_holder(held)]
        ready = _ready(config_path)
        with open(go, "rb") as handle:
            data = handle.read()
        if not data or ready is None:
            return  # stopped (or not for this config): nothing was written
        os.dup2(stderr, 2)
        from .logs import setup_logging
        from .progress import progress_printer

        setup_logging()  # as the full command, and what was logged while getting ready, as it would have been
        for record in held:
            logging.getLogger(record.name).handle(record)
        started_ns, files, key = marshal.loads(data)
        lines = ready(now=now, started_ns=started_ns, files=files, key=key, progress=progress_printer(sys.stderr))
        if lines is not None:
            with open(answer, "wb") as handle:
                handle.write(marshal.dumps(lines))
    except BaseException:  # noqa: BLE001 - any failure is no answer: the full command runs and says what is wrong
        logging.getLogger(__name__).debug("the quick edit failed; the full command builds", exc_info=True)
        status = 1
    finally:
        os._exit(status)  # no atexit handlers, no buffers of the command's flushed twice


def _ready(config_path: str) -> Callable[..., Lines | None] | None:
    """Load the config and the edit path's modules: the finishing step, or None (no quick build for it)."""
    from functools import partial

    from ..build.quick_edit import finish, prepare

    config = prepare(config_path)
    return partial(finish, config) if config is not None else None


def _holder(held: list[Any]) -> Any:
    """A log handler that keeps the records made while the helper gets ready, in `held` (it may be killed:
    then they were never made)."""
    import logging

    class HeldBack(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            held.append(record)

    return HeldBack()
