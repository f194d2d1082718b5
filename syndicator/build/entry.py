"""`build()`: one build at a time, answered from the last build's record when nothing changed, else run in full.

Only what the "nothing changed" answer needs is imported here; the modules that parse, render
and write load when a build has work to do (a no-op `syndicator build` is mostly start-up).
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Callable, Iterable

from ..config import Config
from ..posts.walk import discover
from .cache import RACY_NS, Cache
from .lock import build_lock
from .report import BuildReport
from .restat import restat
from .unchanged import Record, answer, posts_key

if TYPE_CHECKING:  # the warm state's module loads the post reader: only a build with work needs it
    from .warm import Memory

Progress = Callable[[int, int], None]


def build(config: Config, *, now: datetime, use_cache: bool = True, keep_posts: bool = False,
          progress: Progress | None = None, brief: bool = False, memory: Memory | None = None,
          changed: Iterable[str] | None = None) -> BuildReport:
    """Regenerate the feeds for the posts published at `now`.

    `keep_posts=True` also puts the published posts (and their bodies) in the report,
    for cross-posting; it costs reading every published post. `brief=True` lets a build that
    would change nothing answer from the last finished build's record (counts and problems
    only: see build/unchanged.py), and one that finds a few post files changed plan only those
    from that build's warm state (the report's `published` then holds only theirs: see
    build/incremental.py), as `syndicator build` does.

    `memory`: the report.memory of this process's last build (the daemon keeps it). While it is
    still the cache's last record, neither the record nor the warm state is read again, and
    `changed` (post paths below the posts folder that changed since, from notifications) spares
    the walk: only those paths are looked at. `changed=None`: unknown, walk the folder. A
    `memory` that is no longer the cache's (another process built since) makes the build run in full.
    A build that started from memory leaves its record in memory only (report.memory) and its token
    in the cache: other processes then build in full, the daemon's next build starts from memory.
    """
    with build_lock(config.state_dir):  # one build at a time per state folder (CLI and daemon alike)
        cache = Cache(config.state_dir / "cache.sqlite", config.fingerprint, config.authors) if use_cache else None
        try:
            started = time.time_ns()
            brief = brief and cache is not None and not keep_posts
            held = memory if brief and memory is not None and cache.last_build_token() == memory.token else None
            brief = brief and (memory is None or held is not None)  # another process built since: read it all
            key = None
            if held is not None and changed is not None:
                files = restat(config.posts_dir, held.warm.files, changed)
                discovered = (files, held.problems[:held.record.notes])
                if all(files.get(rel) == held.warm.files.get(rel) for rel in changed):
                    key = (held.record.posts_key, held.newest)  # the same files as the record's
            else:
                discovered = discover(config)
            saved = (held.record if held else Record.loads(cache.last_build() or b"")) if brief else None
            if saved is not None and key is None:
                key = posts_key(discovered[0])
            quick = answer(saved, files=discovered[0], now=now, output=config.feeds.output, racy_ns=RACY_NS,
                           key=key, problems=held.problems if held else None)
            if quick is not None:
                return replace(quick, memory=held)
            if cache is not None:
                cache.forget_last_build()  # until this build finishes, no record vouches for the output
            if saved is not None:  # a few post files changed: plan and write only what they change
                from .edit import build_edit

                report = build_edit(config, now, cache, saved, discovered, started_ns=started, files_key=key,
                                    warm=held.warm if held else None, problems=held.problems if held else None,
                                    persist=held is None)
                if report is not None:
                    return report
            from .pipeline import run  # parsing, rendering and writing: only when there is work

            return run(config, now, cache, discovered, keep_posts=keep_posts, progress=progress, saved=saved,
                       warm=held.warm if held else None, started_ns=started, files_key=key,
                       problems=held.problems if held else None,
                       persist=held is None)  # a process that holds its memory keeps the record there
        finally:
            if cache is not None:
                cache.close()
