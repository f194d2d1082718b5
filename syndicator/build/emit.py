"""Render the stale feed files one at a time and hand each to the writer as soon as it is rendered.

The posts the files list are rendered first, on both cores (build/prerender.py): each post's
body, entry and items (the entry as one format writes it) made once, in the order the files
first list them. Here each file is joined from its posts' items as soon as all of them are in,
and written. A build holds one rendered file at a time (and the writes still on their way to
disk), so memory does not grow with the number or size of the feed files; an item is kept until
the last file listing it is rendered, while the items kept fit in ITEM_BUDGET bytes (the least
recently used go first and are made again here if needed: the bytes are the same either way; an
item over a quarter of the budget, a huge post's, is kept apart, the last one of each format).

A post that cannot be rendered (its body, its entry or an item) is left out of every feed and
reported as a `path:line` problem; the other posts are published. A worker process that dies
only costs time: the posts it did not answer for are rendered here. A feed file that cannot be
rendered is reported and its old file kept. Files that lost a post are not recorded in the
build cache, so the next build tries them again.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from ..config import Config
from ..model import Author, Body, Post
from ..posts.loader import Problem, Stub
from ..posts.walk import display_path
from ..render import Entry, FeedSpec, Item, index_page_of, prepare_entry_once, render_item, render_opml, render_parts
from .bodies import Bodies
from .cache import Cache
from .crew import Crew
from .manifest import Manifest
from .output import OutputDir
from .parallel import Sideline, WorkerFailed
from .plan import PAGE, FeedFile
from .prerender import Need, Rendered, engage, prerender
from .scan import Parsing, Scan
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
         files: list[FeedFile], todo: list[FeedFile], specs: list[FeedSpec], found: Scan,
         crew: Crew[Parsing], alongside: Sequence[Callable[[], None]] = (),
         afterwards: Sequence[Callable[[], None]] = ()) -> Emitted:
    """Render each file in `todo` and write it; write the OPML list; remove files no plan makes now.

    `alongside`: independent pieces of work (through connections of their own), done one after
    another in another thread while the posts render, once the manifest lists the files to write
    (and the crew is forked), and over before the old files are removed; each done here instead if
    it fails. `afterwards`: the same, in that thread after them and once the posts are rendered (the
    workers gone: what they hold never adds to the workers' memory), alongside the last writes.
    `crew`: the build's workers.
    """
    clock = _Clock()
    opml = config.feeds.paths.site("opml")
    stubs, needs = _needs(todo)
    posts = _Posts(config, Bodies(config, cache), clock, found.posts, uses=_uses(todo))
    publisher = Publisher(output, manifest, [job.rel for job in todo] + [opml], known=known,
                          expected={f.rel for f in files} | {opml},
                          before_write=cache.forget_feeds if cache is not None else lambda rels: None)
    degraded: set[str] = set()  # files written without a post they list
    failures: list[Problem] = []
    queue = deque(todo)

    def publish_ready(everything: bool) -> None:
        while queue and (everything or posts.settled(queue[0])):
            job = queue.popleft()
            if not _publish(config, specs, posts, publisher, job, failures, output):
                degraded.add(job.rel)

    engage(crew, stubs, found.fresh)  # fork (if at all) before the threads start
    side = Sideline(alongside, afterwards) if alongside or afterwards else None
    try:
        clock.mark("write")
        try:
            for done in prerender(config, found, cache, stubs, needs, owner=posts.owner, crew=crew):
                clock.mark("bodies")  # waiting for the posts rendered on both cores
                posts.take(done)
                publish_ready(False)
        except WorkerFailed as exc:  # a worker died (killed, out of memory): the rest is rendered here
            logger.warning("%s; rendering the rest in this process", exc)
        if side is not None:
            side.release()
        publish_ready(True)
        publisher.write(opml, render_opml(config.site, config.feeds, specs))
    finally:
        failed = side.wait() if side is not None else []
        written = publisher.finish()
    for work in failed:
        work()  # it failed aside: here, then
    clock.mark("write")
    posts.bodies.save()
    if cache is not None:
        cache.put_feed_inputs({job.rel: (job.inputs, written.signatures[job.rel])
                               for job, ok in zip(todo, written.ok) if ok and job.rel not in degraded},
                              [p.relative_to(output.root).as_posix() for p in written.removed])
    return Emitted(written, posts.problems + failures + written.problems, len(posts.problems), posts.bodies.kept,
                   clock.spent)


def _publish(config: Config, specs: list[FeedSpec], posts: _Posts, publisher: Publisher, job: FeedFile,
             failures: list[Problem], output: OutputDir) -> bool:
    """Render one file from its posts' items and hand it to the writer; False when it lacks a post it lists."""
    data = _render_file(config, specs, posts, job)
    kept = data is not None and not posts.lost(job)
    start = posts.clock.mark("render")
    if data is None:
        publisher.skip(job.rel, "it could not be rendered")
        failures.append(Problem(str(output.root / job.rel), 0, "cannot render this feed; the old file is kept"))
    else:
        publisher.write(job.rel, data)
    posts.done(job)
    posts.clock.mark("write", start)
    return kept


def _needs(todo: list[FeedFile]) -> tuple[list[Stub], dict[str, Need]]:
    """Each post the files list, once, in the order the files first list it, and what they need of it."""
    formats: dict[str, dict[str, None]] = {}
    entry: set[str] = set()
    stubs: dict[str, Stub] = {}
    for job in todo:
        for stub in job.items:
            stubs.setdefault(stub.source, stub)
            wanted = formats.setdefault(stub.source, {})
            if job.fmt == PAGE:
                entry.add(stub.source)
            else:
                wanted[job.fmt] = None
    return list(stubs.values()), {rel: Need(tuple(fmts), rel in entry) for rel, fmts in formats.items()}


def _uses(todo: list[FeedFile]) -> Counter[tuple[str, str]]:
    """How many of the files list each (format, post): an item is dropped once the last of them is rendered."""
    return Counter((job.fmt, stub.source) for job in todo for stub in job.items)


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
    """Each post's items (and entry, for the index page), rendered by prerender or, when not at hand
    (evicted, or a worker died), here on first use; a post that cannot be rendered becomes a problem.

    An item is kept until the last file listing it is rendered, while the items kept fit in
    ITEM_BUDGET bytes (the least recently used go first and are made again if needed: the bytes
    are the same either way; an item over a quarter of the budget is kept apart, the last one per format).
    """

    def __init__(self, config: Config, bodies: Bodies, clock: _Clock, fetch: Callable[[Iterable[Stub]], list[Post]],
                 *, uses: Counter[tuple[str, str]]) -> None:
        self.config, self.bodies, self.clock, self.fetch, self.uses = config, bodies, clock, fetch, uses
        self.owner: Author | None = config.author(config.site.owner) if config.site.owner else None
        self.entries: OrderedDict[str, Entry] = OrderedDict()  # made here
        self.shown: dict[str, Entry] = {}  # prerendered for the index page
        self.items: OrderedDict[tuple[str, str], Item] = OrderedDict()
        self.huge: dict[tuple[str, str], Item] = {}  # items over a quarter of the budget
        self.item_bytes = 0
        self.ready: set[str] = set()  # posts prerender has answered for
        self.absent: set[str] = set()  # posts that could not be fetched: no file lists them
        self.failed: set[str] = set()
        self.problems: list[Problem] = []

    def take(self, done: Rendered) -> None:
        """What prerender made of one post."""
        self.ready.add(done.source)
        if done.body is not None:
            self.bodies.add(done.digest, done.body)
        if not done.found:
            self.absent.add(done.source)
        elif done.failure is not None:
            self._failed(done.source, done.failure)
        for fmt, item in done.items.items():
            self._keep((fmt, done.source), item)
        if done.entry is not None:
            self.shown[done.source] = done.entry

    def settled(self, job: FeedFile) -> bool:
        """Whether prerender has answered for every post the file lists."""
        return all(s.source in self.ready for s in job.items)

    def done(self, job: FeedFile) -> None:
        """The file is rendered: drop what no other file needs."""
        for stub in job.items:
            key = (job.fmt, stub.source)
            self.uses[key] -= 1
            if self.uses[key] <= 0:
                item = self.items.pop(key, None)
                self.item_bytes -= len(item.data) if item is not None else 0
                self.huge.pop(key, None)
                if job.fmt == PAGE:
                    self.shown.pop(stub.source, None)

    def lost(self, job: FeedFile) -> bool:
        """Whether a post the file lists is left out of it."""
        return any(s.source in self.failed for s in job.items)

    def listed(self, job: FeedFile) -> list[Stub]:
        """The posts the file lists that could be fetched."""
        return [s for s in job.items if s.source not in self.absent]

    def entry(self, stub: Stub) -> Entry | None:
        """The post's entry, or None when it cannot be rendered (reported once) or fetched."""
        if stub.source in self.failed or stub.source in self.absent:
            return None
        if stub.source in self.shown:
            return self.shown[stub.source]
        if stub.source in self.entries:
            self.entries.move_to_end(stub.source)
            return self.entries[stub.source]
        fetched = self.fetch([stub])
        if not fetched:
            self.absent.add(stub.source)
            return None
        try:
            self.clock.mark("render")
            body = self.bodies.get(fetched[0])
            self.clock.mark("bodies")
            entry = prepare_entry_once(self.config.site, self.config.feeds, fetched[0], body, self.owner)
        except Exception as exc:  # noqa: BLE001 - one post's failure must not stop the build
            self._failed(stub.source, exc)
            return None
        self.entries[stub.source] = entry
        if len(self.entries) > ENTRIES_KEPT:
            self.entries.popitem(last=False)
        return entry

    def item(self, fmt: str, stub: Stub) -> Item | None:
        """The post's item in `fmt`, or None when it cannot be rendered (reported once) or fetched."""
        key = (fmt, stub.source)
        if key in self.items:
            self.items.move_to_end(key)
            return self.items[key]
        if key in self.huge:
            return self.huge[key]
        entry = self.entry(stub)
        if entry is None:
            return None
        try:
            item = render_item(fmt, entry)
        except Exception as exc:  # noqa: BLE001
            self._failed(stub.source, exc)
            return None
        self._keep(key, item)
        return item

    def _keep(self, key: tuple[str, str], item: Item) -> None:
        if self.uses[key] <= 0:
            return  # no file still to render lists it
        if len(item.data) > ITEM_BUDGET // 4:  # a huge post's: kept apart, the last one per format
            self.huge = {k: v for k, v in self.huge.items() if k[0] != key[0]}
            self.huge[key] = item
            return
        self.items[key] = item
        self.item_bytes += len(item.data)
        while self.item_bytes > ITEM_BUDGET:
            self.item_bytes -= len(self.items.popitem(last=False)[1].data)

    def _failed(self, source: str, exc: Exception) -> None:
        logger.debug("cannot render %s", source, exc_info=exc)
        self.failed.add(source)
        line = getattr(exc, "line", 0) or 1
        self.problems.append(Problem(display_path(self.config, source), line,
                                     f"cannot be rendered ({type(exc).__name__}: {exc}); left out of the feeds"))


def _render_file(config: Config, specs: list[FeedSpec], posts: _Posts, job: FeedFile) -> bytes | list[bytes] | None:
    """The file's bytes (or parts), without the posts that cannot be rendered; None when the file
    itself cannot be rendered."""
    try:
        if job.fmt == PAGE:
            return index_page_of(config.site, config.feeds, specs,
                                 [e for e in (posts.entry(s) for s in posts.listed(job)) if e is not None])
        items = [i for i in (posts.item(job.fmt, s) for s in posts.listed(job)) if i is not None]
        return render_parts(job.fmt, config.site, config.feeds, job.spec, items, owner=posts.owner)
    except Exception as exc:  # noqa: BLE001 - not one post's fault: the feed itself
        logger.debug("cannot render %s", job.rel, exc_info=exc)
        return None
