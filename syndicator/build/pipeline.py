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
from ..render import FEED_FILES, FeedSpec, index_page, render, render_opml
from .bodies import rendered, with_source
from .cache import Cache
from .parallel import fork_map
from .plan import PAGE, FeedFile, feed_files, page_file, plan_feeds, split, stale
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
    specs: list[FeedSpec]  # every feed, for the index page
    full: dict[str, Post]  # by source path
    bodies: dict[str, Body]  # by digest
    todo: list[FeedFile]


def _render_at(work: _RenderWork, index: int) -> bytes:
    """Render work.todo[index] (in a worker process when there are many)."""
    job, site, feeds = work.todo[index], work.config.site, work.config.feeds
    entries = [(work.full[s.source], work.bodies[work.full[s.source].digest])
               for s in job.items if s.source in work.full]
    if job.fmt == PAGE:
        return index_page(site, feeds, work.specs, entries, owner=work.owner)
    return render(job.fmt, site, feeds, job.spec, entries, owner=work.owner)


def _render_all(work: _RenderWork) -> list[bytes]:
    """Every stale file's bytes, in work.todo's order, then the OPML list (always rendered)."""
    config = work.config
    rendered = list(fork_map(_render_at, range(len(work.todo)), context=work, min_items=48,
                             # a feed's formats in one worker share its prepared entries
                             chunksize=2 * len(config.feeds.formats)))
    return rendered + [render_opml(config.site, config.feeds, work.specs)]


def _build(config: Config, now: datetime, cache: Cache | None, *, keep_posts: bool,
           progress: Progress | None) -> BuildReport:
    marks = [time.perf_counter()]
    found = scan(config, cache=cache, progress=progress)
    stubs, problems = found.index()
    marks.append(time.perf_counter())
    posts = split(stubs, now)
    plans = plan_feeds(config, posts.published)
    out = config.feeds.output
    files = feed_files(config, plans) + [page_file(config, plans)]
    todo = stale(files, cache.feed_inputs() if cache else {}, out)
    marks.append(time.perf_counter())
    full = {p.source: p for p in found.posts({s.source: s for job in todo for s in job.items}.values())}
    bodies = rendered(config, cache, full.values())
    marks.append(time.perf_counter())
    owner = config.author(config.site.owner) if config.site.owner else None
    data = _render_all(_RenderWork(config, owner, [spec for spec, _ in plans], full, bodies, todo))
    outputs = [(out / job.rel, b) for job, b in zip(todo, data)] + [(out / FEED_FILES["opml"], data[-1])]
    marks.append(time.perf_counter())
    result = write_all(outputs)
    gone = remove_stale(out, {f.rel for f in files} | {FEED_FILES["opml"]})
    if cache is not None:  # zip stops at todo: the OPML file, last in outputs, has no inputs hash
        cache.put_feed_inputs({job.rel: (job.inputs, len(b)) for job, b, ok in zip(todo, data, result.ok) if ok},
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
