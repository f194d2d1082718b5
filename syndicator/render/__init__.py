"""Pure, deterministic writers of the output files: (site, feeds, spec, items) -> bytes. No I/O, no clock.

May import: model, config, posts.content and posts.html_text. Never the build, cross-posting, endpoints, daemon, server or CLI.

    render(fmt, site, feeds, spec, items, owner=...)   one RSS 2.0, Atom 1.0 or JSON Feed 1.1 file
    prepare_entry(site, feeds, post, body, owner)       one post's cleaned facts (an Entry)
    render_item(fmt, entry)                             that entry as one format writes it (an Item)
    render_entry(entry, formats)                        the same in several formats, the content
                                                        encoded once for all of them
    render_items(fmt, site, feeds, spec, items, ...)    a feed from its items: each entry is escaped
                                                        and written once, however many feeds list it
    render_parts(...)                                   the same as parts, for writing without a copy
    render_entries(fmt, ..., entries) / index_page_of   as render / index_page, from entries
    render_opml(site, feeds, specs)                     the OPML 2.0 list of every feed
    index_page(site, feeds, specs, items, owner=...)    the HTML page for people (index.html)
    feed_url(feeds, spec, fmt)                          a feed's absolute public URL

Modules: spec (FeedSpec, feed_path: where [feeds.paths] puts each feed), sanitize (text
and URLs made safe for feeds), entry (the cleaned per-entry and per-feed facts every format
shares), footer (the HTML attribution footer), extension (namespaces, our attribution
extension, the media/link/person elements RSS and Atom share; its docstring documents the
namespace), xmltext (XML written as text, byte for byte as lxml would), rss, atom, jsonfeed,
opml, page (the HTML index page). Element mapping: ../shared/design/feeds.md.
"""

from __future__ import annotations

from typing import Sequence
from urllib.parse import quote

from ..config import FEED_FORMATS, Feeds, Site
from ..model import Author, Body, Post
from . import atom, jsonfeed, opml, rss
from .encoded import encode_content
from .entry import Entry, Item, _person_cached, _prepare_cached, prepare_entry, prepare_entry_once, prepare_head
from .extension import ATTR as NAMESPACE
from .extension import person_element
from .footer import footer_about
from .page import index_page, index_page_of
from .sanitize import clean, uri
from .spec import CONTENT_TYPES, FeedSpec, feed_path

__all__ = ["NAMESPACE", "CONTENT_TYPES", "Entry", "FeedSpec", "Item", "feed_path", "feed_url",
           "index_page", "index_page_of", "prepare_entry", "prepare_entry_once", "render", "render_entries",
           "render_entry", "render_item", "render_items", "render_opml", "render_parts", "clear_caches"]


_ITEM = {"rss": rss.item, "atom": atom.item, "json": jsonfeed.item}
assert set(_ITEM) == set(FEED_FORMATS)


def feed_url(feeds: Feeds, spec: FeedSpec, fmt: str) -> str:
    """The feed's absolute public URL, non-ASCII path parts percent-encoded."""
    return feeds.url + "/".join(quote(clean(p), safe="") for p in feed_path(feeds.paths, spec, fmt).split("/"))


def render(fmt: str, site: Site, feeds: Feeds, spec: FeedSpec,
           items: Sequence[tuple[Post, Body]], *, owner: Author | None) -> bytes:
    """One feed file's bytes. `items` are sorted newest first and already cut to length;
    `owner` is the site owner, the author of posts that name none."""
    entries = [prepare_entry(site, feeds, post, body, owner) for post, body in items]
    return render_entries(fmt, site, feeds, spec, entries, owner=owner)


def render_entries(fmt: str, site: Site, feeds: Feeds, spec: FeedSpec, entries: Sequence[Entry], *,
                   owner: Author | None) -> bytes:
    """One feed file's bytes from entries already prepared (`prepare_entry`), newest first."""
    return render_items(fmt, site, feeds, spec, [render_item(fmt, entry) for entry in entries], owner=owner)


def render_item(fmt: str, entry: Entry) -> Item:
    """One entry as `fmt` writes it: the same bytes in every feed of that format that lists it."""
    return render_entry(entry, (fmt,))[fmt]


def render_entry(entry: Entry, formats: Sequence[str]) -> dict[str, Item]:
    """The entry's item in each of `formats` (as `render_item` writes it), its content encoded once
    for all of them (encoded.py)."""
    for fmt in formats:
        if fmt not in _ITEM:
            raise ValueError(f"unknown feed format {fmt!r} (known: {', '.join(FEED_FORMATS)})")
    content = encode_content(entry.content, formats)
    return {fmt: _ITEM[fmt](entry, content=content.json if fmt == "json" else content.xml) for fmt in formats}


def render_items(fmt: str, site: Site, feeds: Feeds, spec: FeedSpec, items: Sequence[Item], *,
                 owner: Author | None) -> bytes:
    """One feed file's bytes from its entries' items (`render_item` in the same format), newest first."""
    return b"".join(render_parts(fmt, site, feeds, spec, items, owner=owner))


def render_parts(fmt: str, site: Site, feeds: Feeds, spec: FeedSpec, items: Sequence[Item], *,
                 owner: Author | None) -> list[bytes]:
    """`render_items` as parts to write one after another: the items' own bytes, never copied."""
    if fmt not in _ITEM:
        raise ValueError(f"unknown feed format {fmt!r} (known: {', '.join(FEED_FORMATS)})")
    feed_author = spec.author if spec.kind == "author" else None
    self_url = uri(feed_url(feeds, spec, fmt), site.url)
    head = prepare_head(site, feeds, spec.title, self_url, feed_author, owner, items)
    if fmt == "rss":
        return rss.write(head, items)
    if fmt == "atom":
        return atom.write(head, items, ident=atom.feed_id(site.tag_authority, spec.kind, spec.key))
    return jsonfeed.write(head, items)


def render_opml(site: Site, feeds: Feeds, specs: Sequence[FeedSpec]) -> bytes:
    """OPML 2.0 listing every feed in every configured format."""
    return opml.write(site.title, uri(site.url, site.url), feeds.formats, specs,
                      lambda spec, fmt: uri(feed_url(feeds, spec, fmt), site.url))


def clear_caches() -> None:
    """Forget memoized entries (a long-running daemon may call this after each build)."""
    for cached in (_prepare_cached, _person_cached, uri, footer_about, person_element):
        cached.cache_clear()
