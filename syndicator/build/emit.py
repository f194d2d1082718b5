"""Render the stale feed files one at a time and hand each to the writer as soon as it is rendered.

A build never holds more than one rendered file (and the writes still on their way to disk):
memory does not grow with the number or size of the feed files. Each post's body and entry
are made once, on first use, and shared by every feed listing it.

A post that cannot be rendered (its body, or its entry in a feed) is left out of every feed
and reported as a `path:line` problem; the other posts are published. A feed file that still
cannot be rendered is reported and its old file kept. Files that lost a post this way are not
recorded in the build cache, so the next build tries them again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

from ..config import Config
from ..model import Author, Body, Post
from ..posts.loader import Problem, Stub
from ..posts.walk import display_path
from ..render import Entry, FeedSpec, index_page_of, prepare_entry, render_entries, render_opml
from .bodies import Bodies
from .cache import Cache
from .manifest import Manifest
from .output import OutputDir
from .plan import PAGE, FeedFile
from .write import Publisher, Written

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Emitted:
    """What rendering and writing the stale files did."""

    written: Written
    problems: list[Problem]  # posts left out of the feeds, then files not rendered or written
    left_out: int  # posts left out of the feeds because they could not be rendered
    bodies: dict[str, Body]  # by digest: every body this build rendered or took from its cache
    timings: dict[str, float] = field(default_factory=dict)  # "bodies", "render", "write" seconds


@dataclass
class _Clock:
    """Seconds spent per stage; the stages interleave, file by file."""

    spent: dict[str, float] = field(default_factory=lambda: {"bodies": 0.0, "render": 0.0, "write": 0.0})

    def add(self, stage: str, since: float) -> float:
        now = time.perf_counter()
        self.spent[stage] += now - since
        return now


def emit(config: Config, *, cache: Cache | None, manifest: Manifest, output: OutputDir, known: set[str],
         files: list[FeedFile], todo: list[FeedFile], specs: list[FeedSpec],
         fetch: Callable[[Iterable[Stub]], list[Post]]) -> Emitted:
    """Render each file in `todo` and write it; write the OPML list; remove files no plan makes now."""
    clock, start = _Clock(), time.perf_counter()
    opml = config.feeds.paths.site("opml")
    full = {p.source: p for p in fetch({s.source: s for job in todo for s in job.items}.values())}
    bodies = Bodies(config, cache, full.values())
    start = clock.add("bodies", start)
    owner = config.author(config.site.owner) if config.site.owner else None
    entries = _Entries(config, bodies, owner)
    publisher = Publisher(output, manifest, [job.rel for job in todo] + [opml], known=known,
                          expected={f.rel for f in files} | {opml},
                          before_write=cache.forget_feeds if cache is not None else lambda rels: None)
    degraded: set[str] = set()
    failures: list[Problem] = []
    try:
        for job in todo:
            items = [(p, e) for p, e in (entries.get(full[s.source]) for s in job.items if s.source in full)
                     if e is not None]
            if len(items) < len(job.items):
                degraded.add(job.rel)
            data, lost = _render_file(config, specs, owner, job, items)
            if lost:
                degraded.add(job.rel)
                entries.fail(lost)
            start = clock.add("render", start)
            if data is None:
                publisher.skip(job.rel, "it could not be rendered")
                failures.append(Problem(str(output.root / job.rel), 0, "cannot render this feed; the old file is kept"))
            else:
                publisher.write(job.rel, data)
            start = clock.add("write", start)
        publisher.write(opml, render_opml(config.site, config.feeds, specs))
    finally:
        written = publisher.finish()
    clock.add("write", start)
    bodies.save()
    if cache is not None:
        cache.put_feed_inputs({job.rel: (job.inputs, written.signatures[job.rel])
                               for job, ok in zip(todo, written.ok) if ok and job.rel not in degraded},
                              [p.relative_to(output.root).as_posix() for p in written.removed])
    return Emitted(written, entries.problems + failures + written.problems, len(entries.problems), bodies.known,
                   dict(clock.spent))


class _Entries:
    """Each post's feed entry, made once on first use; a post that cannot be rendered becomes a problem."""

    def __init__(self, config: Config, bodies: Bodies, owner: Author | None) -> None:
        self.config, self.bodies, self.owner = config, bodies, owner
        self.made: dict[str, Entry | None] = {}
        self.problems: list[Problem] = []

    def get(self, post: Post) -> tuple[Post, Entry | None]:
        """(post, its entry), or (post, None) when it cannot be rendered (reported once)."""
        if post.source not in self.made:
            try:
                body = self.bodies.get(post)
                self.made[post.source] = prepare_entry(self.config.site, self.config.feeds, post, body, self.owner)
            except Exception as exc:  # noqa: BLE001 - one post's failure must not stop the build
                self._failed(post, exc)
        return post, self.made[post.source]

    def fail(self, lost: list[tuple[Post, Exception]]) -> None:
        """Posts whose entries no feed could be written with: left out of the feeds from now on."""
        for post, exc in lost:
            self._failed(post, exc)

    def _failed(self, post: Post, exc: Exception) -> None:
        logger.debug("cannot render %s", post.source, exc_info=exc)
        self.made[post.source] = None
        line = getattr(exc, "line", 0) or 1
        self.problems.append(Problem(display_path(self.config, post.source), line,
                                     f"cannot be rendered ({type(exc).__name__}: {exc}); left out of the feeds"))


def _render_file(config: Config, specs: list[FeedSpec], owner: Author | None, job: FeedFile,
                 items: list[tuple[Post, Entry]]) -> tuple[bytes | None, list[tuple[Post, Exception]]]:
    """The file's bytes and the posts that had to be left out; None when even without them it fails."""
    try:
        return _render(config, specs, owner, job, [e for _p, e in items]), []
    except Exception as exc:  # noqa: BLE001 - find the post that breaks it, publish the rest
        logger.debug("cannot render %s", job.rel, exc_info=exc)
    lost, kept = [], []
    for post, entry in items:
        try:
            _render(config, specs, owner, job, [entry])
            kept.append(entry)
        except Exception as exc:  # noqa: BLE001
            lost.append((post, exc))
    try:
        return _render(config, specs, owner, job, kept), lost
    except Exception as exc:  # noqa: BLE001 - not one post's fault: the feed itself
        logger.debug("cannot render %s without its bad posts", job.rel, exc_info=exc)
        return None, lost


def _render(config: Config, specs: list[FeedSpec], owner: Author | None, job: FeedFile, entries: list[Entry]) -> bytes:
    if job.fmt == PAGE:
        return index_page_of(config.site, config.feeds, specs, entries)
    return render_entries(job.fmt, config.site, config.feeds, job.spec, entries, owner=owner)
