"""`build()`: one build at a time, answered from the last build's record when nothing changed, else run in full.

Only what the "nothing changed" answer needs is imported here; the modules that parse, render
and write load when a build has work to do (a no-op `syndicator build` is mostly start-up).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Callable

from ..config import Config
from ..posts.walk import discover
from .cache import RACY_NS, Cache
from .lock import build_lock
from .report import BuildReport
from .unchanged import Record, answer

Progress = Callable[[int, int], None]


def build(config: Config, *, now: datetime, use_cache: bool = True, keep_posts: bool = False,
          progress: Progress | None = None, brief: bool = False) -> BuildReport:
    """Regenerate the feeds for the posts published at `now`.

    `keep_posts=True` also puts the published posts (and their bodies) in the report,
    for cross-posting; it costs reading every published post. `brief=True` lets a build that
    would change nothing answer from the last finished build's record (counts and problems
    only: see build/unchanged.py), and one that finds a few post files changed plan only those
    from that build's warm state (the report's `published` then holds only theirs: see
    build/incremental.py), as `syndicator build` does.
    """
    with build_lock(config.state_dir):  # one build at a time per state folder (CLI and daemon alike)
        cache = Cache(config.state_dir / "cache.sqlite", config.fingerprint, config.authors) if use_cache else None
        try:
            started = time.time_ns()
            discovered = discover(config)
            saved = None
            if brief and cache is not None and not keep_posts:
                saved = Record.loads(cache.last_build() or b"")
                quick = answer(saved, files=discovered[0], now=now, output=config.feeds.output, racy_ns=RACY_NS)
                if quick is not None:
                    return quick
            if cache is not None:
                cache.forget_last_build()  # until this build finishes, no record vouches for the output
            from .pipeline import run  # parsing, rendering and writing: only when there is work

            return run(config, now, cache, discovered, keep_posts=keep_posts, progress=progress, saved=saved,
                       started_ns=started)
        finally:
            if cache is not None:
                cache.close()
