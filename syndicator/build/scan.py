"""Scan the posts folder: parse the new and changed files (on both cores when there are many),
take the rest from the build cache, and fetch full posts for the stubs that need them.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from ..config import Config
from ..model import Post
from ..posts.cascade import index_file
from ..posts.claims import Claim
from ..posts.loader import FileEntry, PostFiles, Problem, Stub, discover, index_entries, parse_file
from .ahead import Ahead, render_ahead
from .bodies import with_source
from .cache import Cache, PostWriter, dumps, loads, writes_snapshot
from .crew import Crew, WorkerFailed
from .parsed import Parsed
from .problem_tally import ProblemTally
from .vouch import untrusted
from .report import HeldProblems

if TYPE_CHECKING:  # the shortlist plans feeds (build/plan.py, the renderers): only a build loads it
    from .shortlist import Shortlist

logger = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
_PARALLEL_FROM = 400  # below this, starting worker processes costs more than it saves
_CHUNK = 64  # files per task handed to a worker
# A file modified too close to (or after) the last scan's start may have changed again within one
# timestamp tick after that scan read it: it is parsed again (git's "racy clean"; vouch.untrusted says
# which, by the filesystem's grain, as the record, the quick stamp and the daemon ask it).


@dataclass(frozen=True)
class Scan:
    """The posts folder as last seen: an entry per post file, full posts fetched on demand."""

    config: Config
    entries: Mapping[str, FileEntry]
    fresh: dict[str, bytes]  # posts parsed this time, pickled (see cache.dumps)
    cache: Cache | None
    files: int = 0
    parsed: int = 0  # files parsed this time (the rest came from the cache)
    notes: list[Problem] = field(default_factory=list)  # from walking the folder: link loops
    # the entries' own problems when a full scan took them out (report.problem_bytes per batch of files, in
    # path order) and how many: `entries` then hold none; None: the entries hold their problems
    held: tuple[tuple[bytes, ...], int] | None = None
    tally: ProblemTally | None = None  # those batches' tally (build/problem_tally.py), if made

    def index(self, *, incumbent: Callable[[Claim], bool] = lambda claim: False) -> tuple[list[Stub], Sequence[Problem]]:
        """Good posts' stubs in path order, and every problem (`incumbent`: see claims.py)."""
        stubs, problems = index_entries(self.config, self.entries, incumbent=incumbent)
        if self.held is not None:  # the files' own problems, merged by path with the rejections as they are read
            return stubs, HeldProblems(self.notes, self.held[0], self.held[1], merged=problems, tally=self.tally)
        return stubs, self.notes + problems

    def posts(self, stubs: Iterable[Stub]) -> list[Post]:
        """Full posts (without bodies) for these stubs, in the same order."""
        stubs = list(stubs)
        wanted = [s.source for s in stubs]
        authors = self.config.authors
        found = {rel: loads(self.fresh[rel], authors) for rel in wanted if rel in self.fresh}
        missing = [rel for rel in wanted if rel not in found]
        if self.cache is not None and missing:
            digests = {s.source: s.digest for s in stubs}
            # a row from the same file's parse as its entry (a row for other bytes: parsed again)
            found.update((rel, post) for rel, post in self.cache.posts(missing).items()
                         if post.digest == digests[rel])
        for rel in missing:
            if rel not in found:  # not in the cache (damaged or deleted): parse the file again
                _entry, post = parse_file(self.config, rel)
                if post is not None:
                    found[rel] = post
        return [found[rel] for rel in wanted if rel in found]


class OwnCache:
    """The build cache as this process may use it: the build's connection in the build's process,
    a connection of its own (opened on first use) in a worker: a connection never crosses a fork."""

    def __init__(self, cache: Cache | None) -> None:
        self.cache, self.parent = cache, os.getpid()
        self.own: Cache | None = None

    def get(self) -> Cache | None:
        """This process's connection."""
        if self.cache is None or os.getpid() == self.parent:
            return self.cache
        if self.own is None:
            self.own = Cache(self.cache.path, self.cache.fingerprint, self.cache.authors)
        return self.own


@dataclass(frozen=True)
class Parsing:
    """What each worker of a build's crew (build/crew.py) inherits by fork: the config, where it
    stores what it parses, and the posts it parsed that may reach a feed, kept for rendering them
    (with the bodies of the likeliest shown, rendered ahead: build/ahead.py)."""

    config: Config
    writer: PostWriter | None  # None: everything goes back to the parent
    parent: int  # the scanning process: it keeps its own results (its cache connection is the one that saves)
    generation: int  # this scan's snapshot rows, stored by the workers
    shortlist: Shortlist | None = None  # a worker stores only the posts that may reach a feed (None: every post)
    cache: OwnCache = field(default_factory=lambda: OwnCache(None))
    ahead: Ahead | None = None  # bodies rendered while waiting for the render tasks (None: none)

    def held(self, source: str, digest: str) -> Post | None:
        """The post this worker parsed from `source` (with this digest) and kept, if it did."""
        kept = self.shortlist.held.get(source) if self.shortlist is not None else None
        return kept[1] if kept is not None and kept[1].digest == digest else None


def workshop(config: Config, cache: Cache | None, *, shortlist: tuple[datetime, int] | None = None) -> Crew[Parsing]:
    """A crew (not started yet) for one build's scan and rendering. `shortlist=(now, keep)`: the
    workers store in the cache only the posts that may reach a feed at or after `now` with `keep`
    posts a feed (build/shortlist.py), and keep them for rendering; None: they store every post."""
    held = ahead = None
    jobs = os.cpu_count() or 1
    if shortlist and cache:
        from .shortlist import Shortlist

        held, ahead = Shortlist(config, now=shortlist[0], keep=shortlist[1]), Ahead(workers=jobs)
    return Crew(Parsing(config, PostWriter(cache.path) if cache else None, os.getpid(), time.time_ns(), held,
                        OwnCache(cache), ahead), jobs=jobs)


def _parse_chunk(work: Parsing, rels: list[str]) -> tuple[bytes, list[tuple[str, bytes | None]], bool]:
    """Parse some files: their (path, entry) pairs pickled together (one pickle shares the authors,
    tags and warning texts of many files), and each post pickled alone for the cache's posts table.

    A worker process stores the posts and the batches of entries in the cache itself (PostWriter:
    the batches a few at a time; it answers with the first paths of the tasks whose batches it stored
    now) and sends back the entries only: 10,000 posts then never cross a pipe, and neither they nor
    the batches wait in the parent's memory for one big insert.
    """
    config = work.config
    worker = work.writer is not None and os.getpid() != work.parent
    held = work.shortlist if worker else None
    parse = PostFiles.of(config).parse  # the posts folder and display prefix, once per task
    pairs, posts = [], []
    for rel in rels:
        entry, post = parse(rel)
        pairs.append((rel, entry))
        if post is None:
            posts.append((rel, None))
        elif held is None:
            posts.append((rel, dumps(post, config.authors)))
        else:
            held.add(entry[2], post)  # stored when the worker is done (_store_shortlist)
    blob = dumps(pairs, config.authors)
    if worker:
        return blob, [], work.writer.put(posts, blob, work.generation, key=rels[0] if rels else "")
    return blob, posts, []


def _store_shortlist(work: Parsing) -> list[str] | None:
    """A worker's last act of the scan: store the posts it held that may reach a feed (the batches of entries
    it still holds are the scanning process's to store); their paths, for the render tasks to come back
    to this worker (None: none held)."""
    if work.shortlist is None or work.writer is None or os.getpid() == work.parent:
        return None
    authors = work.config.authors
    held = work.shortlist.posts()
    work.writer.put_posts([(rel, dumps(post, authors)) for rel, post in held])
    return [rel for rel, _post in held]


def scan(config: Config, *, cache: Cache | None, progress: Progress | None = None,
         discovered: tuple[dict[str, tuple[int, int]], list[Problem]] | None = None,
         shortlist: tuple[datetime, int] | None = None, crew: Crew[Parsing] | None = None,
         meanwhile: Callable[[], object] | None = None) -> Scan:
    """Find post files (unless `discovered` brings them); parse the new and changed ones, reuse the rest.

    `shortlist`: see `workshop`. `crew`: the build's workers (from `workshop`, its shortlist
    then decides), started here when there are many files to parse, and left running for the
    rendering; None: a crew of the scan's own. `meanwhile()`: work for this process once the
    workers are forked (never inherited by them), done while they parse.
    """
    if crew is None:
        with workshop(config, cache, shortlist=shortlist) as own:
            return scan(config, cache=cache, progress=progress, discovered=discovered, crew=own, meanwhile=meanwhile)
    started = time.time_ns()
    files, notes = discovered if discovered is not None else discover(config)
    old = cache.entries() if cache else {}
    doubtful = set(untrusted(files, cache.last_scan())) if old and cache else set()  # the record's rule too
    entries: dict[str, FileEntry] = {}
    stale = []
    for rel, (size, mtime) in files.items():
        hit = old.get(rel)
        if hit is not None and hit[0] == size and hit[1] == mtime and rel not in doubtful:
            entries[rel] = hit
        else:
            stale.append(rel)
    if config.reading.engine == "hugo" and entries and any(
            index_file(rel) for rel in (*stale, *(r for r in old if r not in files))):
        stale, entries = list(files), {}  # a section's cascade may have changed: read every post again
    stale.sort()
    chunks = _tasks(stale, _CHUNK)
    # a full scan (nothing from the cache) that saves the batches as parsed keeps the problems out of the entries
    parsed = Parsed(entries, config.authors, progress, len(stale), hold=not entries and writes_snapshot(len(stale)),
                    tasks=chunks)
    if len(stale) >= _PARALLEL_FROM:
        crew.start()
    if meanwhile is not None:
        meanwhile()
    try:
        for blob, posts, stored in crew.map(_parse_chunk, chunks, ordered=False, finish=_store_shortlist,
                                               idle=render_ahead):
            parsed.take(blob, posts, stored)
    except WorkerFailed as exc:  # a worker died (killed, out of memory): the files it did not answer for, here
        logger.warning("%s; parsing the rest in this process", exc)
        answered = parsed.entries
        for chunk in _tasks([rel for rel in stale if rel not in answered], _CHUNK):
            parsed.take(*_parse_chunk(crew.context, chunk))
    table = parsed.entries  # (as columns when the problems were held apart: build/columns.py)
    fresh, unsaved, blobs, staged = parsed.fresh, parsed.unsaved, list(parsed.unstored.values()), parsed.staged
    gone = [rel for rel in old if rel not in files]
    if cache is not None:
        if stale or gone:
            full = len(stale) == len(table)  # nothing came from the cache: the batches hold every entry
            # (a full scan's entries may hold no problems: the batches, the workers' and these, have them)
            cache.save(table, stale, unsaved, gone, blobs=blobs if full else None,
                       staged=crew.context.generation if full and staged else None)
        cache.mark_scan(started)
    return Scan(config, table, fresh, cache, files=len(files), parsed=len(stale), notes=notes, held=parsed.held(),
                tally=parsed.tally())


def _tasks(rels: list[str], size: int) -> list[list[str]]:
    """Tasks of `size` files, the last 4 * `size` files in tasks a quarter that size, so that the
    workers run out of work at nearly the same moment."""
    cut = max(0, len(rels) - 4 * size) // size * size
    small = max(1, size // 4)
    return [rels[i:i + size] for i in range(0, cut, size)] + [rels[i:i + small] for i in range(cut, len(rels), small)]


@dataclass(frozen=True)
class LoadResult:
    """Every good post and every problem, as `syndicator check` and `crosspost` want them."""

    posts: list[Post]  # every good post, drafts and future ones included, in path order
    problems: list[Problem] = field(default_factory=list)
    files: int = 0  # post files seen
    parsed: int = 0  # files parsed this time (the rest came from the cache)

    @property
    def rejected(self) -> int:
        """Files that did not become a post."""
        return len({p.path for p in self.problems if p.severity == "error"})


def load_posts(config: Config, *, bodies: bool = True, cache: Cache | None = None,
               progress: Progress | None = None) -> LoadResult:
    """Read every post under config.posts_dir. `bodies=False` leaves Post.body empty."""
    found = scan(config, cache=cache, progress=progress)
    stubs, problems = found.index()
    posts = found.posts(stubs)
    return LoadResult(posts=with_source(config, posts) if bodies else posts, problems=problems,
                      files=found.files, parsed=found.parsed)
