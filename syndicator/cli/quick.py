"""`syndicator build` when nothing changed, answered before click, the config and the build load (issue 12);
and after post files changed, built without click.

Only the plain command line `syndicator build` is answered here, and only from the quick stamp
the last build left (build/stamp.py): the same lines, on the same streams, with the same exit
status as the full command gives when it answers from the last build's record. When the stamp
holds for everything but the post files, the build is run here, with the stamp's walk, as the full
command would run it (build/quick_edit.py), and its lines are printed as the full command prints
them. While a core is idle, a big posts folder is walked in a forked child and this process imports
what an edit needs meanwhile (build/side_walk.py). Anything else (another command, an option, no
stamp, a stream that is not UTF-8, any error) is no answer, and the full command runs as always.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .method_code import MethodCode

STATE_DIR, STAMP = ".syndicator", "quick-build.marshal"  # (build/stamp.py's: known here without importing it)
# What an edit loads (build/quick_edit.py's imports, leaves first), imported while the walk runs aside: any
# module left out loads with the next one that needs it.
_READY = ("dataclasses", "zoneinfo", "syndicator.config", "syndicator.build.config_snapshot", "logging", "sqlite3",
          "syndicator.build.cache", "syndicator.posts.dates", "syndicator.posts.flatyaml",
          "syndicator.posts.frontmatter", "syndicator.posts.fields", "syndicator.posts.markup",
          "syndicator.posts.reader", "syndicator.posts.loader", "syndicator.build.plan",
          "syndicator.build.unchanged", "syndicator.build.warm", "syndicator.build.incremental",
          "syndicator.build.edit", "syndicator.build.quick_edit", "syndicator.cli.logs", "syndicator.cli.progress",
          "syndicator.crosspost_settings", "difflib")


def quick_build(args: list[str]) -> int | None:
    """The exit status of `syndicator build` answered from the quick stamp, or None when the full command must run."""
    if args != ["build"] or not all(_utf8(stream) for stream in (sys.stdout, sys.stderr)):
        return None
    config, now = _config_path(os.getcwd()), time.time()
    state_dir = os.path.join(os.path.dirname(config), STATE_DIR) if config else ""
    if config is None or not os.path.isfile(os.path.join(state_dir, STAMP)):
        return None
    from ..build.lock import build_lock  # (the package's __init__ loads nothing)

    gc.disable()  # a short command of acyclic objects (imports, a walk, a build as build/pipeline.py runs it)
    try:
        with build_lock(Path(state_dir)):  # not while a build runs: it may be writing the output folder
            from ..build.stamp import SIDE_WALK_FILES, answer_locked

            found = answer_locked(config, now=now, editor=lambda: _Here(config, now),
                                  aside_from=SIDE_WALK_FILES if _idle_core() else None)
    except Exception:  # noqa: BLE001 - any doubt is no answer: the full command says what is wrong
        found = None
    if found is None:
        gc.enable()  # the full command runs as it always does
        return None
    out, err, status = found
    for line in err:  # as click.echo does it: a line at a time, each flushed
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    try:
        for line in out:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
    except BrokenPipeError:  # as click: the reader left, say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return status


class _Here:
    """stamp.Editor: after the walk, the build run in this process as the full command runs it
    (build/quick_edit.py), without click."""

    def __init__(self, config: str, now: float) -> None:
        self.config, self.now = config, now
        self.methods: MethodCode | None = None  # set when the first class is about to be defined

    def _methods(self) -> MethodCode:
        """The dataclasses' methods compiled by an earlier run (cli/method_code.py), in use from now on."""
        if self.methods is None:
            from .stand_in import stand_in

            stand_in("inspect")  # what dataclasses imports for classes without a docstring: ours have one
            from .method_code import MethodCode, cache_folder  # (imports dataclasses)

            self.methods = MethodCode(cache_folder())
            self.methods.install()
        return self.methods

    def prepare(self, done: Callable[[], bool]) -> None:
        """Import what an edit needs, a module at a time, until done()."""
        self._methods()
        for name in _READY:
            if done():
                return
            importlib.import_module(name)

    def finish(self, started_ns: int, files: dict[str, tuple[int, int]], key: tuple[str, int],
               config: bytes) -> tuple[tuple[str, ...], tuple[str, ...], int] | None:
        """The lines of the build the walk calls for (`config`: as the stamp kept it)."""
        self._methods()
        from ..build.quick_edit import edit_lines
        from .logs import setup_logging
        from .progress import progress_printer

        setup_logging()  # as the full command: a warning logged while building reads the same
        try:
            return edit_lines(self.config, now=self.now, started_ns=started_ns, files=files, key=key,
                              snapshot=config, progress=progress_printer(sys.stderr))
        finally:
            self.stop()

    def stop(self) -> None:
        """Done, or not needed after all: dataclasses compile as always again (for the full command, if it
        runs), and what had to be compiled is kept for the next run (cli/method_code.py)."""
        if self.methods is not None:
            self.methods.remove()
            self.methods.keep()
            self.methods = None


def kept_methods(args: list[str]) -> MethodCode | None:
    """For a plain `syndicator build` in a folder with a config, the dataclasses' methods kept in the user's
    cache folder (cli/method_code.py): the full command uses and keeps them too. None for anything else."""
    if args != ["build"] or _config_path(os.getcwd()) is None:
        return None
    from .method_code import MethodCode, cache_folder

    return MethodCode(cache_folder())


def _idle_core() -> bool:
    """Whether a core is idle now, so that the walk may run beside this process (build/side_walk.py): more
    than one, and the load average below their number by a half, or, the minute's average still counting
    what ran before this command (a build, a test), fewer threads runnable this instant than cores."""
    cores = os.cpu_count() or 1
    return cores > 1 and (os.getloadavg()[0] < cores - 0.5 or _runnable() < cores)


def _runnable() -> int:
    """How many threads are runnable this instant, this one among them (Linux's /proc/loadavg; elsewhere
    a number that says no core is idle)."""
    try:
        with open("/proc/loadavg", "rb") as handle:
            return int(handle.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        return 1 << 30


def _config_path(cwd: str) -> str | None:
    """The config file config.find_config() picks in `cwd` (without reading it), resolved; None if neither is there."""
    for name in ("syndicator.toml", "config.toml"):
        path = os.path.join(cwd, name)
        if os.path.isfile(path):
            return os.path.realpath(path)
    return None


def _utf8(stream: object) -> bool:
    """Whether click would write to `stream` as it is (a UTF-8 text stream)."""
    encoding = getattr(stream, "encoding", None) or ""
    return encoding.lower().replace("-", "").replace("_", "") == "utf8"
