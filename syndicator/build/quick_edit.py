"""`syndicator build` with the quick stamp's walk, without the command line's machinery (issue 12).

The quick stamp (build/stamp.py) answers a build with nothing changed before the config is read.
When everything it vouches for still holds but the post files, the build is run here, still under
the build lock and with the stamp's walk, exactly as `syndicator build` runs it (build/entry.py's
build_walked: an edit that renders nothing updates the cache, owners and record only; anything
else plans from the last build's warm state or in full, and renders), and the lines that command
prints are returned.

`prepare` (the config and every module an edit needs) does not depend on the walk; `finish` does.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from ..config import Config, load
from .config_snapshot import loads
from . import edit  # noqa: F401 - what entry loads on first use (the parser among it): here, before the walk ends
from .entry import Progress, Walked, build_walked
from .problem_lines import problem_lines
from .stamp import STATE_DIR, Lines


def prepare(config_path: str, snapshot: bytes = b"") -> Config | None:
    """The config at `config_path` (resolved) when a quick edit may build it; None when no stamp would be left
    for it (entry._stamp), so the stamp found was not made for it. `snapshot`: that config as the stamp kept
    it (config_snapshot.py), else it is loaded. Raises what config.load raises."""
    config = loads(snapshot) if snapshot else load(Path(config_path))
    if config.feeds.hubs or config.reading.engine == "hugo" or config.state_dir != config.root / STATE_DIR:
        return None
    return config


def finish(config: Config, *, now: float, started_ns: int, files: dict[str, tuple[int, int]],
           key: tuple[str, int], progress: Progress | None = None) -> Lines | None:
    """(stdout lines, stderr lines, exit status) of `syndicator build` with `config` (from prepare), the post
    files walked (`files`, their posts_key `key`, the walk started at `started_ns`); None when a line holds
    what click would strip as a terminal sequence (the build is done: the full command answers from it)."""
    report = build_walked(config, now=datetime.fromtimestamp(now, timezone.utc), walked=Walked(started_ns, files, key),
                          progress=progress)
    out, err = report.summary(config.feeds.output), problem_lines(report.problems)
    if any("\x1b" in line for line in out + err):
        return None
    return tuple(out), tuple(err), 1 if report.rejected or report.failed else 0


def edit_lines(config_path: str, *, now: float, started_ns: int, files: dict[str, tuple[int, int]],
               key: tuple[str, int], snapshot: bytes = b"", progress: Progress | None = None) -> Lines | None:
    """prepare() then finish(), in this process."""
    config = prepare(config_path, snapshot)
    return finish(config, now=now, started_ns=started_ns, files=files, key=key, progress=progress) if config else None
