"""`build()`: one build at a time, answered from the last build's record when nothing changed, else run in full.

Only what the "nothing changed" answer needs is imported here; the modules that parse, render
and write load when a build has work to do (a no-op `syndicator build` is mostly start-up).
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from itertools import islice
from datetime import datetime
from typing import TYPE_CHECKING, Callable, Iterable, NamedTuple

from ..config import Config
from ..digests import sha256
from ..posts.walk import discover
from .cache import Cache
from .lock import build_lock
from .report import BuildReport
from .restat import restat
from .stamp import STATE_DIR
from .stamp import forget as forget_stamp
from .stamp import leave as leave_stamp
from .unchanged import Record, answer, answered, posts_key

if TYPE_CHECKING:  # the warm state's module loads the post reader: only a build with work needs it
    from .warm import Memory

Progress = Callable[[int, int], None]
_FORK_FIRST_FROM = 400  # post files (build/scan.py's _PARALLEL_FROM): a build parsing this many forks its workers


class Walked(NamedTuple):
    """A walk of the posts folder done before the build (cli/quick.py's, under the build lock)."""

    started_ns: int  # when the build started: taken before the walk (what the record trusts is older)
    files: dict[str, tuple[int, int]]  # post files, as discover() finds them (a walk without notes)
    key: tuple[str, int]  # posts_key(files)


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
        report = _build(config, now=now, use_cache=use_cache, keep_posts=keep_posts, progress=progress,
                        brief=brief, memory=memory, changed=changed)
    return report


def build_walked(config: Config, *, now: datetime, walked: Walked, progress: Progress | None = None) -> BuildReport:
    """`build(config, now=now, progress=progress, brief=True)`, as `syndicator build` runs it, with the walk
    done (`walked`, under the build lock, which the caller holds): build/quick_edit.py's."""
    return _build(config, now=now, use_cache=True, keep_posts=False, progress=progress, brief=True, memory=None,
                  changed=None, walked=walked)


def _build(config: Config, *, now: datetime, use_cache: bool, keep_posts: bool, progress: Progress | None,
           brief: bool, memory: Memory | None, changed: Iterable[str] | None,
           walked: Walked | None = None) -> BuildReport:
    """build() with the lock held (`walked`: the walk done already)."""
    started = walked.started_ns if walked else time.time_ns()
    aside = None
    if walked is None and memory is None and (not use_cache or not (config.state_dir / "cache.sqlite").exists()):
        from .cold_walk import ColdWalk, worth_it  # a build in full for sure: the walk in a child, while it gets ready

        aside = ColdWalk(config) if worth_it() else None
    cache = None
    crew = None  # the build's workers, when forked before the walk
    try:
        cache = Cache(config.state_dir / "cache.sqlite", config.fingerprint, config.authors) if use_cache else None
        brief = brief and cache is not None and not keep_posts
        held = memory if brief and memory is not None and cache.last_build_token() == memory.token else None
        brief = brief and (memory is None or held is not None)  # another process built since: read it all
        key = walked.key if walked else None
        if held is not None and changed is not None:
            files = restat(config.posts_dir, held.warm.files, changed)
            discovered = (files, held.problems[:held.record.notes])
            if all(files.get(rel) == held.warm.files.get(rel) for rel in changed):
                key = (held.record.posts_key, held.newest)  # the same files as the record's
        else:
            if aside is not None:
                aside.ready()  # the pipeline imported while the child walks
            if walked is None and _every_file_parsed(config, cache):
                from .pipeline import forked_crew  # (what a build with work loads anyway)

                crew = forked_crew(config, now, cache, keep_posts=keep_posts)  # before the walk: see there
            if aside is not None:
                discovered = aside.result()  # read after the fork: the workers never hold it either
            else:
                discovered = (walked.files, []) if walked else discover(config)
        saved = (held.record if held else Record.loads(cache.last_build() or b"")) if brief else None
        if saved is not None and key is None:
            key = posts_key(discovered[0])
        quick = answer(saved, files=discovered[0], now=now, output=config.feeds.output, key=key,
                       problems=held.problems if held else None)
        if quick is not None:
            if held is None:  # the quick path was not taken or found no good stamp: leave one
                _stamp(config, saved)
            return replace(quick, memory=held)
        edit = None
        if saved is not None:  # a few post files changed: when they alter no feed file, nothing is rendered
            from .edit import plan_edit

            edit = plan_edit(config, now, saved, discovered[0], warm=held.warm if held else None)
        forget_stamp(config.state_dir)  # until this build finishes, no stamp vouches either
        if cache is not None:
            cache.forget_last_build()  # until this build finishes, no record vouches for the output
        if edit is not None:
            from .edit import finish_edit

            report = finish_edit(config, cache, saved, edit, discovered[1], started_ns=started, files_key=key,
                                 problems=held.problems if held else None, persist=held is None)
        else:
            from .pipeline import run  # parsing, rendering and writing: only when there is work

            report = run(config, now, cache, discovered, keep_posts=keep_posts, progress=progress, saved=saved,
                         warm=held.warm if held else None, started_ns=started, files_key=key,
                         problems=held.problems if held else None,
                         persist=held is None, crew=crew)  # a process that holds its memory keeps the record there
        if held is None and report.memory is not None:  # its record is in the cache's file
            _stamp(config, report.memory.record)
        return report
    finally:
        if crew is not None:
            crew.close()
        if aside is not None:
            aside.close()
        if cache is not None:
            cache.close()


def _every_file_parsed(config: Config, cache: Cache | None) -> bool:
    """Whether this build will parse every post file of a posts folder big enough for the scan to fork
    its workers (400 entries at its top: build/scan.py's threshold): no cache, or one that never scanned."""
    if cache is not None and cache.last_scan():
        return False
    try:
        with os.scandir(config.posts_dir) as found:
            return sum(1 for _ in islice(found, _FORK_FIRST_FROM)) >= _FORK_FIRST_FROM
    except OSError:
        return False


def _stamp(config: Config, left: Record) -> None:
    """Leave the quick stamp for `left`, the record in the cache's file (build/stamp.py says when it may)."""
    if config.feeds.hubs or config.reading.engine == "hugo" or config.state_dir != config.root / STATE_DIR:
        return  # a build pings hubs; a Hugo site's cascades are in the fingerprint; a stamp nobody would find
    try:
        digest = sha256(config.path.read_bytes()).hexdigest()
    except OSError:
        return
    if digest != config.fingerprint:  # an ids_file is in the fingerprint too, or the config changed since
        return
    report = answered(left)
    out, err = report.summary(config.feeds.output), list(left.shown)
    if any("\x1b" in line for line in out + err):  # click would strip what looks like a terminal sequence
        return
    leave_stamp(config.state_dir, config=config, config_digest=digest,
                vouched=(left.posts_key, left.scan_started_ns, left.valid_until, left.outputs, left.counts[0]),
                out=out, err=err, status=1 if report.rejected else 0)
