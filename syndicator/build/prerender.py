"""Render the posts that the stale feed files list on both cores: each post's body, its entry
(when the index page shows it) and its item in every format a listing feed needs, as bytes.

Worker processes inherit the build's plan by fork (the config, the scan, what each post needs)
and fetch the posts themselves (each opens its own connection to the build cache: a connection
never crosses a fork) and store the bodies they render there; only the rendered items and
entries come back (and the new bodies, without a build cache).
The parent joins items into files (build/emit.py). A post that cannot be rendered comes back
with its exception, for the parent to report; with few posts it all runs here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Iterator

from ..config import Config
from ..model import Author, Body, Post
from ..posts.loader import Stub
from ..render import Entry, Item, prepare_entry_once, render_item
from .bodies import rendered
from .cache import Cache
from .parallel import fork_map, portable
from .scan import Scan

CHUNK = 8  # posts per task handed to a worker
PARALLEL_FROM = 48  # posts: below this, starting worker processes costs more than it saves


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


class _Local:
    """The build cache as this process may use it: the parent's connection here, a worker's own in a worker."""

    def __init__(self, cache: Cache | None) -> None:
        self.cache, self.parent = cache, os.getpid()
        self.own: Cache | None = None

    def get(self) -> Cache | None:
        """This process's connection (opened on first use in a worker)."""
        if self.cache is None or os.getpid() == self.parent:
            return self.cache
        if self.own is None:
            self.own = Cache(self.cache.path, self.cache.fingerprint, self.cache.authors)
        return self.own


@dataclass(frozen=True)
class _Work:
    config: Config
    found: Scan
    needs: dict[str, Need]
    local: _Local
    owner: Author | None


def prerender(config: Config, found: Scan, cache: Cache | None, stubs: list[Stub], needs: dict[str, Need], *,
              owner: Author | None) -> Iterator[Rendered]:
    """Render `stubs` (each once, in this order) as `needs` says, yielding each post in the same order."""
    chunks = [stubs[i:i + CHUNK] for i in range(0, len(stubs), CHUNK)]
    work = _Work(config, found, needs, _Local(cache), owner)
    for done in fork_map(_render_chunk, chunks, context=work, min_items=-(-PARALLEL_FROM // CHUNK)):
        yield from done


def _render_chunk(work: _Work, stubs: list[Stub]) -> list[Rendered]:
    """Fetch these posts (the cache, else their files), take their bodies from the cache or render them,
    and render what each needs."""
    cache = work.local.get()
    found = work.found if cache is work.found.cache else replace(work.found, cache=cache)
    posts = {post.source: post for post in found.posts(stubs)}
    known = cache.bodies({post.digest for post in posts.values()}) if cache is not None else {}
    done = [_render_post(work, stub.source, posts.get(stub.source), known) for stub in stubs]
    if cache is None or cache is work.found.cache:
        return done  # here: the build's Bodies keeps or stores the new bodies, in batches
    fresh = {r.digest: r.body for r in done if r.body is not None}
    if fresh:
        cache.put_bodies(fresh)  # a worker stores them through its own connection: they need not come back
    return [replace(r, body=None) if r.body is not None else r for r in done]


def _render_post(work: _Work, source: str, post: Post | None, known: dict[str, Body]) -> Rendered:
    if post is None:
        return Rendered(source, "", False, {}, None, None)
    config, need = work.config, work.needs[source]
    body = known.get(post.digest)
    fresh = None
    try:
        if body is None:
            body = fresh = rendered(config, post)
        entry = prepare_entry_once(config.site, config.feeds, post, body, work.owner)
        items = {fmt: render_item(fmt, entry) for fmt in need.formats}
    except Exception as exc:  # noqa: BLE001 - one post's failure must not stop the build
        return Rendered(source, post.digest, True, {}, None, fresh, portable(exc))
    return Rendered(source, post.digest, True, items, entry if need.entry else None, fresh)
