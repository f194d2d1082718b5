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
from pathlib import Path
from typing import NamedTuple

from ..config import Config
from ..model import Author, Body, Post
from ..render import OPML_FILENAME, render, render_opml
from .bodies import rendered, with_source
from .cache import Cache
from .parallel import fork_map
from .plan import FeedFile, feed_files, plan, split, stale
from .report import BuildReport
from .scan import Progress, scan
from .write import remove_stale, write_all

logger = logging.getLogger(__name__)


def build(config: Config, *, now: datetime, use_cache: bool = True, keep_posts: bool = False,
          progress: Progress | None = None) -> BuildReport:
    """Regenerate the feeds for the posts published at `now`.

    `keep_posts=True` also puts the published posts (with their source text) in the report,
    for cross-posting; it costs reading every published post.
    """
    cache = Cache(config.state_dir / "cache.sqlite", config.fingerprint, config.authors) if use_cache else None
    enabled = gc.isenabled()
    gc.disable()  # a build makes many short-lived acyclic objects; the cyclic GC only slows it
    try:
        return _build(config, now, cache, keep_posts=keep_posts, progress=progress)
    finally:
        if enabled:
            gc.enable()
        if cache is not None:
            cache.close()


class _RenderWork(NamedTuple):
    """What each render worker needs, handed over once per worker (see parallel.fork_map)."""

    config: Config
    owner: Author | None
    full: dict[str, Post]  # by source path
    bodies: dict[str, Body]  # by digest
    todo: list[FeedFile]


def _render_at(work: _RenderWork, index: int) -> bytes:
    """Render work.todo[index] (in a worker process when there are many)."""
    job = work.todo[index]
    entries = [(work.full[s.source], work.bodies[work.full[s.source].digest])
               for s in job.items if s.source in work.full]
    return render(job.fmt, work.config.site, work.config.feeds, job.spec, entries, owner=work.owner)


def _build(config: Config, now: datetime, cache: Cache | None, *, keep_posts: bool,
           progress: Progress | None) -> BuildReport:
    marks = [time.perf_counter()]
    found = scan(config, cache=cache, progress=progress)
    stubs, problems = found.index()
    marks.append(time.perf_counter())
    posts = split(stubs, now)
    plans = plan(config, posts.published)
    out = config.feeds.output
    files = feed_files(config, plans)
    todo = stale(files, cache.feed_inputs() if cache else {}, out)
    marks.append(time.perf_counter())
    needed = {s.source: s for job in todo for s in job.items}
    full = {p.source: p for p in found.posts(needed.values())}
    bodies = rendered(config, cache, full.values())
    marks.append(time.perf_counter())
    owner = config.author(config.site.owner) if config.site.owner else None
    work = _RenderWork(config, owner, full, bodies, todo)
    outputs = [(out / job.rel, data) for job, data in zip(todo, fork_map(
        _render_at, range(len(todo)), context=work, min_items=48,
        chunksize=2 * len(config.feeds.formats)))]  # a feed's formats in one worker share its entries
    outputs.append((out / OPML_FILENAME, render_opml(config.site, config.feeds, [s for s, _ in plans])))
    marks.append(time.perf_counter())
    result = write_all(outputs)
    gone = remove_stale(out, {f.rel for f in files} | {OPML_FILENAME})
    if cache is not None:  # zip stops at the feeds: the OPML file, last in outputs, has no inputs hash
        cache.put_feed_inputs({job.rel: (job.inputs, len(data)) for job, (_p, data), ok
                               in zip(todo, outputs, result.ok) if ok},
                              _relative(out, gone))
    marks.append(time.perf_counter())
    return BuildReport(
        files=found.files, published=posts.published, drafts=posts.drafts, future=posts.future,
        rejected=len({p.path for p in problems if p.severity == "error"}),
        problems=problems + result.problems, written=result.written,
        unchanged=len(files) - len(todo) + result.unchanged, removed=gone, next_due=posts.next_due,
        timings=dict(zip(("scan", "plan", "bodies", "render", "write"), _durations(marks))),
        posts=with_source(config, found.posts(posts.published)) if keep_posts else [], bodies=bodies)


def _durations(marks: list[float]) -> list[float]:
    return [b - a for a, b in zip(marks, marks[1:])]


def _relative(out: Path, paths: list[Path]) -> list[str]:
    return [p.relative_to(out).as_posix() for p in paths]
