"""`syndicator build` when nothing changed, answered before click, the config and the build load (issue 12);
and after post files changed, built without click.

Only the plain command line `syndicator build` is answered here, and only from the quick stamp
the last build left (build/stamp.py): the same lines, on the same streams, with the same exit
status as the full command gives when it answers from the last build's record. When the stamp
holds for everything but the post files, a helper process that got the build ready while the
stamp's walk ran builds them as the full command would (cli/edit_helper.py, build/quick_edit.py),
and its lines are printed as the full command prints them. Anything else (another command, an
option, no stamp, a stream that is not UTF-8, any error) is no answer, and the full command runs
as always.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

# (build/stamp.py's names, known here without importing it: the helper is forked before it loads)
STATE_DIR, STAMP = ".syndicator", "quick-build.pickle"


def quick_build(args: list[str]) -> int | None:
    """The exit status of `syndicator build` answered from the quick stamp, or None when the full command must run."""
    if args != ["build"] or not all(_utf8(stream) for stream in (sys.stdout, sys.stderr)):
        return None
    config, now = _config_path(os.getcwd()), time.time()
    state_dir = os.path.join(os.path.dirname(config), STATE_DIR) if config else ""
    if config is None or not os.path.isfile(os.path.join(state_dir, STAMP)):
        return None
    from ..build.lock import build_lock  # (the package's __init__ loads nothing)
    from .edit_helper import start

    try:
        with build_lock(Path(state_dir)):  # not while a build runs: it may be writing the output folder
            # The helper first: it gets a build ready while this process checks the stamp and walks. It
            # holds the lock with this process (the same locked file), so a build it runs keeps it even if
            # this process is killed meanwhile.
            helper = start(config, now)
            try:
                from ..build.stamp import answer_locked

                found = answer_locked(config, now=now, editor=lambda: helper)
            finally:
                if helper is not None:
                    helper.stop()  # (unless it was asked to build: then it is done)
    except Exception:  # noqa: BLE001 - any doubt is no answer: the full command says what is wrong
        return None
    if found is None:
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
