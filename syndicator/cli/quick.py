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

import functools
import os
import sys
import time


def quick_build(args: list[str]) -> int | None:
    """The exit status of `syndicator build` answered from the quick stamp, or None when the full command must run."""
    if args != ["build"] or not all(_utf8(stream) for stream in (sys.stdout, sys.stderr)):
        return None
    from ..build.stamp import answer  # (the package's __init__ loads nothing)

    config, now = _config_path(os.getcwd()), time.time()
    try:
        found = answer(config, now=now, editor=functools.partial(_helper, config, now)) if config else None
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


def _helper(config: str, now: float) -> object:
    """A helper process that gets an edit ready while the stamp's walk runs (cli/edit_helper.py)."""
    from .edit_helper import start

    return start(config, now)


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
