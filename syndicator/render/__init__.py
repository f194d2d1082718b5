"""Pure, deterministic writers of the output files: (site, feeds, spec, items) -> bytes. No I/O, no clock.

May import: model, config, posts.content. Never the build, cross-posting, endpoints, daemon, server or CLI.

    render(fmt, site, feeds, spec, items, owner=...)   one RSS 2.0, Atom 1.0 or JSON Feed 1.1 file
    prepare_entry(site, feeds, post, body, owner)       one post's cleaned facts (an Entry), which
    render_entries(fmt, ..., entries) / index_page_of   write as render / index_page do
    render_opml(site, feeds, specs)                     the OPML 2.0 list of every feed
    index_page(site, feeds, specs, items, owner=...)    the HTML page for people (index.html)
    feed_url(feeds, spec, fmt)                          a feed's absolute public URL

Modules: spec (FeedSpec, feed_path: where [feeds.paths] puts each feed), sanitize (text
and URLs made safe for feeds), entry (the cleaned per-entry and per-feed facts every format
shares), footer (the HTML attribution footer), extension (namespaces, our attribution
extension, the media/link/person elements RSS and Atom share; its docstring documents the
namespace), rss, atom, jsonfeed, opml, page (the HTML index page). Element mapping:
../shared/design/feeds.md.
"""

from __future__ import annotations

from typing import Sequence
from urllib.parse import quote

from ..config import FEED_FORMATS, Feeds, Site
from ..model import Author, Body, Post
from . import atom, jsonfeed, opml, rss
from .entry import Entry, _prepare_cached, prepare_entry, prepare_head
from .extension import ATTR as NAMESPACE
from .page import index_page, index_page_of
from .sanitize import clean, uri
from .spec import CONTENT_TYPES, FeedSpec, feed_path

__all__ = ["NAMESPACE", "CONTENT_TYPES", "Entry", "FeedSpec", "feed_path", "feed_url",
           "index_page", "index_page_of", "prepare_entry", "render", "render_entries", "render_opml",
           "clear_caches"]


def feed_url(feeds: Feeds, spec: FeedSpec, fmt: str) -> str:
    """The feed's absolute public URL, non-ASCII path parts percent-encoded."""
    return feeds.url + "/".join(quote(clean(p), safe="") for p in feed_path(feeds.paths, spec, fmt).split("/"))


def render(fmt: str, site: Site, feeds: Feeds, spec: FeedSpec,
           items: Sequence[tuple[Post, Body]], *, owner: Author | None) -> bytes:
    """One feed file's bytes. `items` are sorted newest first and already cut to length;
    `owner` is the site owner, the author of posts that name none."""
    if fmt not in FEED_FORMATS:
        raise ValueError(f"unknown feed format {fmt!r} (known: {', '.join(FEED_FORMATS)})")
    entries = [prepare_entry(site, feeds, post, body, owner) for post, body in items]
    return render_entries(fmt, site, feeds, spec, entries, owner=owner)


def render_entries(fmt: str, site: Site, feeds: Feeds, spec: FeedSpec, entries: Sequence[Entry], *,
                   owner: Author | None) -> bytes:
    """One feed file's bytes from entries already prepared (`prepare_entry`), newest first."""
    if fmt not in FEED_FORMATS:
        raise ValueError(f"unknown feed format {fmt!r} (known: {', '.join(FEED_FORMATS)})")
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
