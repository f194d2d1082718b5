"""Pure, deterministic feed writers: (site, feeds, spec, items) -> bytes. No I/O, no clock.

    render(fmt, site, feeds, spec, items, owner=...)   one RSS 2.0, Atom 1.0 or JSON Feed 1.1 file
    render_opml(site, feeds, specs)                     the OPML 2.0 list of every feed
    feed_url(feeds, spec, fmt)                          a feed's absolute public URL

Modules: entry (the cleaned per-entry and per-feed facts every format shares), footer (the
HTML attribution footer), extension (namespaces, our attribution extension, the media/link/
person elements RSS and Atom share; its docstring documents the namespace), rss, atom,
jsonfeed, opml. Element mapping: ../shared/design/feeds.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence
from urllib.parse import quote

from ..config import FEED_FILENAMES, Feeds, Site
from ..model import Author, Body, Post
from . import atom, jsonfeed, opml, rss
from .entry import _prepare_cached, clean, prepare_entry, prepare_head, uri
from .extension import ATTR as NAMESPACE

__all__ = ["FILENAMES", "OPML_FILENAME", "NAMESPACE", "CONTENT_TYPES", "FeedSpec", "feed_url",
           "render", "render_opml", "clear_caches"]

FILENAMES = FEED_FILENAMES  # the defaults; [feeds] names may rename them (Feeds.filename)
OPML_FILENAME = "feeds.opml"
CONTENT_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml",
                 "json": "application/feed+json", "opml": "text/x-opml"}


@dataclass(frozen=True)
class FeedSpec:
    """One feed to write: the site feed, or the feed of one tag, category or author."""

    kind: str  # "site" | "tag" | "category" | "author"
    key: str  # tag or category name, or author key; "" for the site feed
    title: str  # feed title
    path: str  # under the feeds output dir: "", "tags/<slug>", "categories/<slug>", "authors/<key>"
    author: Author | None = None  # set for author feeds: feed-level name, link, avatar, bio


def feed_url(feeds: Feeds, spec: FeedSpec, fmt: str) -> str:
    """The feed's absolute public URL, non-ASCII path parts percent-encoded."""
    parts = [quote(clean(p), safe="") for p in spec.path.split("/") if p]
    return feeds.url + "".join(p + "/" for p in parts) + feeds.filename(fmt)


def render(fmt: str, site: Site, feeds: Feeds, spec: FeedSpec,
           items: Sequence[tuple[Post, Body]], *, owner: Author | None) -> bytes:
    """One feed file's bytes. `items` are sorted newest first and already cut to length;
    `owner` is the site owner, the author of posts that name none."""
    if fmt not in FILENAMES:
        raise ValueError(f"unknown feed format {fmt!r} (known: {', '.join(FILENAMES)})")
    entries = [prepare_entry(site, feeds, post, body, owner) for post, body in items]
    feed_author = spec.author if spec.kind == "author" else None
    self_url = uri(feed_url(feeds, spec, fmt), site.url)
    head = prepare_head(site, feeds, spec.title, self_url, feed_author, owner, entries)
    if fmt == "rss":
        return rss.write(head, entries)
    if fmt == "atom":
        ident = atom.feed_id(site.tag_authority, spec.kind, spec.key)
        return atom.write(head, entries, ident=ident)
    return jsonfeed.write(head, entries)


def render_opml(site: Site, feeds: Feeds, specs: Sequence[FeedSpec]) -> bytes:
    """OPML 2.0 listing every feed in every configured format."""
    return opml.write(site.title, uri(site.url, site.url), feeds.formats, specs,
                      lambda spec, fmt: uri(feed_url(feeds, spec, fmt), site.url))


def clear_caches() -> None:
    """Forget memoized entries (a long-running daemon may call this after each build)."""
    for cached in (_prepare_cached, uri, jsonfeed._item_json):
        cached.cache_clear()
