"""Render the stale feed files one at a time and hand each to the writer as soon as it is rendered.

A build holds one rendered file at a time (and the writes still on their way to disk), so
memory does not grow with the number or size of the feed files. Each post's entry is prepared
once and each of its items (the entry as one format writes it) made once, then joined into
every feed listing the post; items are kept while they fit in ITEM_BUDGET bytes (the least
recently used go first and are made again if needed: the bytes are the same either way; an
item over a quarter of the budget, a huge post's, is kept apart, the last one of each format).

A post that cannot be rendered (its body, its entry or an item) is left out of every feed and
reported as a `path:line` problem; the other posts are published. A feed file that cannot be
rendered is reported and its old file kept. Files that lost a post are not recorded in the
build cache, so the next build tries them again.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Iterable

from ..config import Config
from ..model import Author, Body, Post
from ..posts.loader import Problem, Stub
from ..posts.walk import display_path
from ..render import Entry, FeedSpec, Item, index_page_of, prepare_entry_once, render_item, render_opml, render_parts
from .bodies import Bodies
from .cache import Cache
from .manifest import Manifest
from .output import OutputDir
from .plan import PAGE, FeedFile
from .write import Publisher, Written

logger = logging.getLogger(__name__)
ITEM_BUDGET = 16 << 20  # bytes of items kept for the feeds still to come
ENTRIES_KEPT = 64  # prepared entries kept: a feed's formats come one after another


@dataclass(frozen=True)
class Emitted:
    """What rendering and writing the stale files did."""

    written: Written
    problems: list[Problem]  # posts left out of the feeds, then files not rendered or written
    left_out: int  # posts left out of the feeds because they could not be rendered
    bodies: dict[str, Body]  # by digest: without a build cache, every body rendered (with one, it has them)
    timings: dict[str, float] = field(default_factory=dict)  # "bodies", "render", "write" seconds


def emit(config: Config, *, cache: Cache | None, manifest: Manifest, output: OutputDir, known: set[str],
         files: list[FeedFile], todo: list[FeedFile], specs: list[FeedSpec],
         fetch: Callable[[Iterable[Stub]], list[Post]]) -> Emitted:
    """Render each file in `todo` and write it; write the OPML list; remove files no plan makes now."""
    clock = _Clock()
    opml = config.feeds.paths.site("opml")
    full = {p.source: p for p in fetch({s.source: s for job in todo for s in job.items}.values())}
    posts = _Posts(config, Bodies(config, cache), clock)
    clock.mark("bodies")  # reading the posts and the cached bodies
    publisher = Publisher(output, manifest, [job.rel for job in todo] + [opml], known=known,
                          expected={f.rel for f in files} | {opml},
                          before_write=cache.forget_feeds if cache is not None else lambda rels: None)
    degraded: set[str] = set()  # files written without a post they list
    failures: list[Problem] = []
    try:
        for job in todo:
            data = _render_file(config, specs, posts, job, [full[s.source] for s in job.items if s.source in full])
            if data is None or posts.lost(job):
                degraded.add(job.rel)
            start = clock.mark("render")
            if data is None:
                publisher.skip(job.rel, "it could not be rendered")
                failures.append(Problem(str(output.root / job.rel), 0, "cannot render this feed; the old file is kept"))
            else:
                publisher.write(job.rel, data)
            clock.mark("write", start)
        publisher.write(opml, render_opml(config.site, config.feeds, specs))
    finally:
        written = publisher.finish()
    clock.mark("write")
    posts.bodies.save()
    if cache is not None:
        cache.put_feed_inputs({job.rel: (job.inputs, written.signatures[job.rel])
                               for job, ok in zip(todo, written.ok) if ok and job.rel not in degraded},
                              [p.relative_to(output.root).as_posix() for p in written.removed])
    return Emitted(written, posts.problems + failures + written.problems, len(posts.problems), posts.bodies.kept,
                   clock.spent)


class _Clock:
    """Seconds spent per stage; the stages interleave, file by file."""

    def __init__(self) -> None:
        self.spent = {"bodies": 0.0, "render": 0.0, "write": 0.0}
        self.last = time.perf_counter()

    def mark(self, stage: str, since: float | None = None) -> float:
        """Charge the time since the last mark (or `since`) to `stage`; returns now."""
        now = time.perf_counter()
        self.spent[stage] += now - (self.last if since is None else since)
        self.last = now
        return now


class _Posts:
    """Each post's entry and items, made on first use; a post that cannot be rendered becomes a problem."""

    def __init__(self, config: Config, bodies: Bodies, clock: _Clock) -> None:
        self.config, self.bodies, self.clock = config, bodies, clock
        self.owner: Author | None = config.author(config.site.owner) if config.site.owner else None
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self.items: OrderedDict[tuple[str, str], Item] = OrderedDict()
        self.huge: dict[tuple[str, str], Item] = {}  # items over a quarter of the budget
        self.item_bytes = 0
        self.failed: set[str] = set()
        self.problems: list[Problem] = []

    def lost(self, job: FeedFile) -> bool:
        """Whether a post the file lists is left out of it."""
        return any(s.source in self.failed for s in job.items)

    def entry(self, post: Post) -> Entry | None:
        """The post's entry, or None when it cannot be rendered (reported once)."""
        if post.source in self.failed:
            return None
        entry = self.entries.get(post.source)
        if entry is not None:
            self.entries.move_to_end(post.source)
            return entry
        try:
            self.clock.mark("render")
            body = self.bodies.get(post)
            self.clock.mark("bodies")
            entry = prepare_entry_once(self.config.site, self.config.feeds, post, body, self.owner)
        except Exception as exc:  # noqa: BLE001 - one post's failure must not stop the build
            self._failed(post, exc)
            return None
        self.entries[post.source] = entry
        if len(self.entries) > ENTRIES_KEPT:
            self.entries.popitem(last=False)
        return entry

    def item(self, fmt: str, post: Post) -> Item | None:
        """The post's item in `fmt`, or None when it cannot be rendered (reported once)."""
        key = (fmt, post.source)
        item = self.items.get(key)
        if item is not None:
            self.items.move_to_end(key)
            return item
        if key in self.huge:
            return self.huge[key]
        entry = self.entry(post)
        if entry is None:
            return None
        try:
            item = render_item(fmt, entry)
        except Exception as exc:  # noqa: BLE001
            self._failed(post, exc)
            return None
        if len(item.data) > ITEM_BUDGET // 4:  # a huge post's: kept apart, the last one per format
            self.huge = {k: v for k, v in self.huge.items() if k[0] != fmt}
            self.huge[key] = item
            return item
        self.items[key] = item
        self.item_bytes += len(item.data)
        while self.item_bytes > ITEM_BUDGET:
            self.item_bytes -= len(self.items.popitem(last=False)[1].data)
        return item

    def _failed(self, post: Post, exc: Exception) -> None:
        logger.debug("cannot render %s", post.source, exc_info=exc)
        self.failed.add(post.source)
        line = getattr(exc, "line", 0) or 1
        self.problems.append(Problem(display_path(self.config, post.source), line,
                                     f"cannot be rendered ({type(exc).__name__}: {exc}); left out of the feeds"))


def _render_file(config: Config, specs: list[FeedSpec], posts: _Posts, job: FeedFile,
                 listed: list[Post]) -> bytes | list[bytes] | None:
    """The file's bytes (or parts), without the posts that cannot be rendered; None when the file
    itself cannot be rendered."""
    try:
        if job.fmt == PAGE:
            return index_page_of(config.site, config.feeds, specs,
                                 [e for e in (posts.entry(p) for p in listed) if e is not None])
        items = [i for i in (posts.item(job.fmt, p) for p in listed) if i is not None]
        return render_parts(job.fmt, config.site, config.feeds, job.spec, items, owner=posts.owner)
    except Exception as exc:  # noqa: BLE001 - not one post's fault: the feed itself
        logger.debug("cannot render %s", job.rel, exc_info=exc)
        return None
