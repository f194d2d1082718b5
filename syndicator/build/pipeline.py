"""scan posts -> plan feeds -> bodies -> render what changed -> atomic write. Returns a report; prints nothing.

Incremental: a feed file is rendered again only when the posts it lists (by content digest),
the config or the program version changed, and written only when its bytes differ. The build
cache is opened here and passed down; nothing else opens it.
"""

from __future__ import annotations

import gc
import logging
import time
from datetime import datetime
from typing import Callable

from ..config import Config
from ..posts.claims import Claim, incumbency, owners_of
from ..posts.loader import Problem, contested
from .bodies import kept
from .cache import Cache
from .emit import emit
from .history import feed_files_present, published_entries
from .manifest import Manifest
from .output import OutputDir
from .plan import feed_files, page_file, plan_feeds, split, stale
from .report import BuildReport
from .scan import Progress, Scan, scan
from .unchanged import record
from .write import known_files

logger = logging.getLogger(__name__)
_Discovered = tuple[dict[str, tuple[int, int]], list[Problem]]  # post files (size, mtime_ns), walk notes


def run(config: Config, now: datetime, cache: Cache | None, discovered: _Discovered, *,
                         keep_posts: bool, progress: Progress | None) -> BuildReport:
    """The full build, for build/entry.py: scan, plan, render and write what changed, with the manifest."""
    manifest = Manifest(config.state_dir / "output.sqlite", config.feeds.output)
    enabled = gc.isenabled()
    gc.disable()  # a build makes many short-lived acyclic objects; the cyclic GC only slows it
    try:
        return _build(config, now, cache, manifest, discovered, keep_posts=keep_posts, progress=progress)
    finally:
        if enabled:
            gc.enable()
        manifest.close()


def _build(config: Config, now: datetime, cache: Cache | None, manifest: Manifest, discovered: _Discovered, *,
           keep_posts: bool, progress: Progress | None) -> BuildReport:
    marks = [time.perf_counter()]
    out = config.feeds.output
    output = OutputDir(out)
    previous = cache.feed_inputs() if cache else {}
    known = known_files(manifest, previous)
    found = scan(config, cache=cache, progress=progress, discovered=discovered)
    stubs, problems = found.index(incumbent=_history(config, found, manifest, output, known))
    marks.append(time.perf_counter())
    posts = split(stubs, now)
    plans = plan_feeds(config, posts.published)
    files = feed_files(config, plans) + [page_file(config, plans)]
    todo = stale(files, previous, out)
    marks.append(time.perf_counter())
    done = emit(config, cache=cache, manifest=manifest, output=output, known=known, files=files, todo=todo,
                specs=[spec for spec, _ in plans], fetch=found.posts)  # render and write, file by file
    result = done.written
    manifest.set_owners(owners_of(posts.published))
    handed = kept(config, cache, found.posts(posts.published), done.bodies) if keep_posts else ([], done.bodies)
    report = BuildReport(
        files=found.files, published=posts.published, published_count=len(posts.published), drafts=posts.drafts,
        future=posts.future, rejected=len({p.path for p in problems if p.severity == "error"}) + done.left_out,
        problems=problems + done.problems, written=result.written, failed=result.failed,
        unchanged=len(files) - len(todo) + result.unchanged, removed=result.removed, next_due=posts.next_due,
        timings={**dict(zip(("scan", "plan"), _durations(marks))), **done.timings},
        posts=handed[0], bodies=handed[1])
    if cache is not None and not done.problems:  # every post rendered, every file written, none left behind
        _leave_record(cache, report, discovered[0], previous, result.signatures,
                      [f.rel for f in files] + [config.feeds.paths.site("opml")])
    return report


def _leave_record(cache: Cache, report: BuildReport, files: dict[str, tuple[int, int]],
                  previous: dict[str, tuple[str, str]], written: dict[str, str], expected: list[str]) -> None:
    """Record a build that wrote every file it meant to, so that the next one can see nothing changed."""
    signatures = {rel: written.get(rel) or (previous.get(rel) or ("", ""))[1] for rel in expected}
    if not all(signatures.values()):
        return
    cache.put_last_build(record(report, files=files, scan_started_ns=cache.last_scan(), outputs=signatures).dumps())


def _history(config: Config, found: Scan, manifest: Manifest, output: OutputDir,
             known: set[str]) -> Callable[[Claim], bool]:
    """Which post was published before, asked only when two files claim one id or address.

    The manifest's owners from the last build; with none (a fresh state folder), the entries
    in the feeds already written.
    """
    if not contested(found.entries):
        return lambda claim: False
    owners = manifest.owners()
    if owners:
        return incumbency(owners)
    fmt, paths = config.feeds.formats[0], config.feeds.paths
    name = paths.site(fmt).rpartition("/")[2]
    present = ({rel for rel in known if paths.format_of(rel) == fmt} | {paths.site(fmt)}
               | set(feed_files_present(output, name)))
    return incumbency({}, published_entries(output, present))


def _durations(marks: list[float]) -> list[float]:
    return [b - a for a, b in zip(marks, marks[1:])]
