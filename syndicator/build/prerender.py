"""Render the posts that the stale feed files list on both cores: each post's body, its entry
(when the index page shows it) and its item in every format a listing feed needs, as bytes.

The work goes to the build's crew (build/crew.py): the scan's worker processes, forked before the
scan and reused, or a crew forked now when the scan ran here. Each task names its posts (path,
digest, what the feeds need); a worker takes each post from those it parsed and kept (the
shortlist), else from the build cache through its own connection, else parses its file again,
and stores the bodies it renders in the cache; only the rendered items and entries come back
(and the new bodies, without a build cache). The parent joins items into files (build/emit.py).
A post that cannot be rendered comes back with its exception, for the parent to report; with few
posts (and no crew running) it all runs here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Container, Iterator, NamedTuple

from ..config import Config
from ..model import Author, Body, Post
from ..posts.loader import Stub
from ..render import Entry, Item, prepare_entry_once, render_entry
from .bodies import rendered
from .cache import Cache
from .crew import Crew, portable
from .scan import Parsing, Scan

CHUNK = 8  # posts per task handed to a worker
PARALLEL_FROM = 48  # bodies' worth of work: below this, starting worker processes costs more than it saves
ITEMS_PER_BODY = 4  # a post whose body is in the cache costs about a quarter of one rendered afresh


@dataclass(frozen=True)
class Need:
    """What the feeds want of one post: its item in these formats, and its entry (the index page)."""

    formats: tuple[str, ...]
    entry: bool


@dataclass(frozen=True)
class Rendered:
    """One post's share of the feeds, or why it has none."""

    source: str
    digest: str
    found: bool  # False: the post could not be fetched (its file vanished): no feed lists it
    items: dict[str, Item]
    entry: Entry | None  # when the index page shows the post
    body: Body | None  # rendered now and not stored by a worker: the parent keeps or stores it
    failure: Exception | None = None  # why the post cannot be rendered: the parent reports it


class Wanted(NamedTuple):
    """One post as a render task names it: its file, the parse it must come from, what the feeds need."""

    source: str
    digest: str
    need: Need


@dataclass(frozen=True)
class _Here:
    """What rendering in the build's own process uses: the scan itself (its posts parsed here) and its cache."""

    config: Config
    found: Scan
    needs: dict[str, Need]
    owner: Author | None


def engage(crew: Crew[Parsing], stubs: list[Stub], fresh: Container[str]) -> None:
    """Start the crew's workers (if they are not running) when the rendering is worth it: a post
    parsed now (in `fresh`) has its body rendered too; the others' bodies are (mostly) in the cache.
    An edit re-renders the ~100 posts its feeds list, with one new body: that runs here."""
    work = sum(ITEMS_PER_BODY if stub.source in fresh else 1 for stub in stubs)
    if work >= PARALLEL_FROM * ITEMS_PER_BODY:
        crew.start()


def prerender(config: Config, found: Scan, cache: Cache | None, stubs: list[Stub], needs: dict[str, Need], *,
              owner: Author | None, crew: Crew[Parsing]) -> Iterator[Rendered]:
    """Render `stubs` (each once, in this order) as `needs` says, yielding each post in the same order:
    in `crew`'s workers (see `engage`), else here. The crew is dismissed once the last post is in
    (rendering is its last stage: the workers end while the build goes on). A worker that dies raises WorkerFailed (the posts yielded are done)."""
    engage(crew, stubs, found.fresh)
    if not crew.forked:
        here = _Here(config, found, needs, owner)
        for i in range(0, len(stubs), CHUNK):
            yield from _render_here(here, stubs[i:i + CHUNK])
        return
    holders = {rel: number for number, held in crew.settle().items() for rel in held or ()}
    tasks, homes = _tasks(stubs, needs, holders)
    for done in crew.map(_render_task, tasks, homes=homes):
        yield from done
    crew.dismiss()  # the build's last stage for its workers: their memory goes now, not after the writes


def _tasks(stubs: list[Stub], needs: dict[str, Need],
           holders: dict[str, int]) -> tuple[list[list[Wanted]], list[int | None]]:
    """Render tasks of up to CHUNK posts, each for the worker that holds its posts (`holders`: path ->
    worker, from the scan), in the order of their first post; and each task's worker (None: any)."""
    by_home: dict[int | None, list[tuple[int, Stub]]] = {}
    for position, stub in enumerate(stubs):
        by_home.setdefault(holders.get(stub.source), []).append((position, stub))
    chunks = sorted((mine[i][0], home, [stub for _position, stub in mine[i:i + CHUNK]])
                    for home, mine in by_home.items() for i in range(0, len(mine), CHUNK))
    return ([[Wanted(stub.source, stub.digest, needs[stub.source]) for stub in chunk] for _first, _home, chunk in chunks],
            [home for _first, home, _chunk in chunks])


def _render_here(here: _Here, stubs: list[Stub]) -> list[Rendered]:
    """Render these posts in the build's process (the build's Bodies keeps or stores the new bodies)."""
    cache = here.found.cache
    posts = {post.source: post for post in here.found.posts(stubs)}
    known = cache.bodies({post.digest for post in posts.values()}) if cache is not None else {}
    return [_render_post(here.config, here.needs[stub.source], stub.source, posts.get(stub.source), known, {},
                         here.owner) for stub in stubs]


def _render_task(work: Parsing, wanted: list[Wanted]) -> list[Rendered]:
    """In a worker: fetch these posts (kept from the scan, else the cache, else their files), take their
    bodies from the cache or render them (storing those), and render what each needs."""
    config, cache = work.config, work.cache.get()
    posts: dict[str, Post] = {}
    for one in wanted:
        held = work.held(one.source, one.digest)
        if held is not None:
            posts[one.source] = held
    missing = [one for one in wanted if one.source not in posts]
    if missing:
        posts.update((post.source, post) for post in Scan(config, {}, {}, cache).posts(missing))
    early = work.ahead.take([post.digest for post in posts.values()]) if work.ahead is not None else {}
    known = cache.bodies({post.digest for post in posts.values()} - early.keys()) if cache is not None else {}
    owner = config.author(config.site.owner) if config.site.owner else None
    done = [_render_post(config, one.need, one.source, posts.get(one.source), known, early, owner) for one in wanted]
    if cache is None:
        return done
    fresh = {r.digest: r.body for r in done if r.body is not None}
    if fresh:
        cache.put_bodies(fresh)  # stored through the worker's own connection: they need not come back
    return [replace(r, body=None) if r.body is not None else r for r in done]


def _render_post(config: Config, need: Need, source: str, post: Post | None, known: dict[str, Body],
                 early: dict[str, Body], owner: Author | None) -> Rendered:
    """One post's items and entry, its body from `known` (the cache's), else `early` (rendered ahead
    by this worker: build/ahead.py, new to the cache), else rendered now."""
    if post is None:
        return Rendered(source, "", False, {}, None, None)
    body = known.get(post.digest)
    fresh = None
    try:
        if body is None:
            body = fresh = early.get(post.digest) or rendered(config, post)
        entry = prepare_entry_once(config.site, config.feeds, post, body, owner)
        items = render_entry(entry, need.formats)
    except Exception as exc:  # noqa: BLE001 - one post's failure must not stop the build
        return Rendered(source, post.digest, True, {}, None, fresh, portable(exc))
    return Rendered(source, post.digest, True, items, entry if need.entry else None, fresh)
