"""`syndicator build` after a few post files changed that alter no feed file, without the command line's
machinery (issue 12).

The quick stamp (build/stamp.py) answers a build with nothing changed before the config is read.
When everything it vouches for still holds but the post files, the build is finished here, still
under the build lock and with the stamp's walk, as `syndicator build` would finish it (build/
entry.py's edit_walked: the changed files parsed, the cache, owners and record updated, nothing
rendered), and the lines that command prints are returned. Whatever would render a feed is no
answer, having written nothing: then the full command runs.

`prepare` (the config and every module the edit path needs) does not depend on the walk, so
`syndicator build` runs it in a helper process while it walks (cli/edit_helper.py); `finish`
needs the walk.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from ..config import Config, load
from . import edit  # noqa: F401 - what entry loads on first use (the parser among it): here, before the walk ends
from .entry import Walked, edit_walked
from .problem_lines import problem_lines
from .stamp import STATE_DIR, Lines


def prepare(config_path: str) -> Config | None:
    """The config at `config_path` (resolved) when a quick edit may build it; None when no stamp would be left
    for it (entry._stamp), so the stamp found was not made for it. Raises what config.load raises."""
    config = load(Path(config_path))
    if config.feeds.hubs or config.reading.engine == "hugo" or config.state_dir != config.root / STATE_DIR:
        return None
    return config


def finish(config: Config, *, now: float, started_ns: int, files: dict[str, tuple[int, int]],
           key: tuple[str, int]) -> Lines | None:
    """(stdout lines, stderr lines, exit status) of `syndicator build` with `config` (from prepare), the post
    files walked (`files`, their posts_key `key`, the walk started at `started_ns`), when the build needs no
    rendering; else None (then nothing was written)."""
    report = edit_walked(config, now=datetime.fromtimestamp(now, timezone.utc),
                         walked=Walked(started_ns, files, key))
    if report is None:
        return None
    out, err = report.summary(config.feeds.output), problem_lines(report.problems)
    if any("\x1b" in line for line in out + err):  # click would strip what looks like a terminal sequence
        return None  # (the record is left: the full command answers from it)
    return tuple(out), tuple(err), 1 if report.rejected or report.failed else 0


def edit_lines(config_path: str, *, now: float, started_ns: int, files: dict[str, tuple[int, int]],
               key: tuple[str, int]) -> Lines | None:
    """prepare() then finish(), in this process."""
    config = prepare(config_path)
    return finish(config, now=now, started_ns=started_ns, files=files, key=key) if config else None
