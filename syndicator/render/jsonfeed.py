"""JSON Feed 1.1 writer (feeds.md, "JSON Feed 1.1"), with `json` and a fixed key order.

Layout: the top-level object on the first line and one item per line, so a golden-file diff
shows which items changed, while every object still goes through the C encoder (an indented
dump uses the slow pure-Python one). UTF-8, ensure_ascii=False, trailing newline.

Top level: version, title, home_page_url, feed_url, description, language, icon, favicon,
authors and the older singular author (JSON Feed 1.0; several readers read only that), hubs,
_attribution. Items: id, url, title, summary, content_html (content_text = the
summary when summary_only, since an item needs one of the two), image, date_published,
date_modified, authors, author, tags, language, _attribution.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from .entry import Entry, Head, Item, Person, Ref
from .extension import ATTR, credit_fields

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _author(who: Person) -> dict[str, str]:
    out = {"name": who.name}
    if who.url:
        out["url"] = who.url
    if who.avatar:
        out["avatar"] = who.avatar
    return out


def _person(who: Person) -> dict[str, str]:
    out = _author(who)
    if who.bio:
        out["bio"] = who.bio
    return out


def _ref(ref: Ref) -> dict[str, str]:
    out = {"name": ref.name}
    if ref.url:
        out["url"] = ref.url
    if ref.note:
        out["note"] = ref.note
    return out


def _attribution(entry: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {"about": ATTR, "authors": [_person(a) for a in entry.authors]}
    credit = credit_fields(entry.photo)
    if credit:
        out["credit"] = credit
    if entry.influences:
        out["influences"] = [_ref(r) for r in entry.influences]
    if entry.sources:
        out["sources"] = [_ref(r) for r in entry.sources]
    if entry.via:
        out["via"] = _ref(entry.via)
    if entry.license:
        out["license"] = entry.license
    return out


def item(entry: Entry, *, content: bytes | None = None) -> Item:
    """One item's JSON text (UTF-8): it does not depend on the feed listing it. `content`: the
    entry's content as the inside of a JSON string, UTF-8 (encoded.py); the item is then joined
    around it, byte for byte what encoding the whole item writes."""
    if content is not None and entry.content is not None:
        try:
            head = _ENCODER.encode(_head(entry)).encode("utf-8")
            tail = _ENCODER.encode(_tail(entry)).encode("utf-8")
            return Item(b"".join((head[:-1], b',"content_html":"', content, b'",', tail[1:])), entry.updated)
        except UnicodeEncodeError:  # a lone surrogate: raised below, as the whole item's encoding words it
            pass
    return Item(_ENCODER.encode({**_head(entry), **_body(entry), **_tail(entry)}).encode("utf-8"), entry.updated)


def _head(entry: Entry) -> dict[str, Any]:
    return {"id": entry.id, "url": entry.link, "title": entry.title, "summary": entry.summary}


def _body(entry: Entry) -> dict[str, Any]:
    return {"content_html": entry.content} if entry.content is not None else {"content_text": entry.summary}


def _tail(entry: Entry) -> dict[str, Any]:
    item: dict[str, Any] = {}
    if entry.photo is not None:
        item["image"] = entry.photo.url
    item["date_published"] = entry.published.isoformat(timespec="seconds")
    item["date_modified"] = entry.updated.isoformat(timespec="seconds")
    authors = [_author(a) for a in entry.authors]
    item["authors"] = authors
    item["author"] = authors[0]
    if entry.terms:
        item["tags"] = list(entry.terms)
    if entry.lang:
        item["language"] = entry.lang
    item["_attribution"] = _attribution(entry)
    return item


def _top(head: Head) -> dict[str, Any]:
    top: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1", "title": head.title,
        "home_page_url": head.home, "feed_url": head.self_url, "description": head.description,
    }
    if head.language:
        top["language"] = head.language
    if head.icon:
        top["icon"] = head.icon
    if head.favicon:
        top["favicon"] = head.favicon
    authors = [_author(a) for a in head.authors]
    top["authors"] = authors
    top["author"] = authors[0]
    if head.hubs:
        top["hubs"] = [{"type": "WebSub", "url": hub} for hub in head.hubs]
    top["_attribution"] = {"about": ATTR, "authors": [_person(a) for a in head.authors]}
    return top


def write(head: Head, items: Sequence[Item]) -> list[bytes]:
    """The JSON Feed 1.1 document for one feed, from its items (`item`), as parts to write one after another."""
    top = _ENCODER.encode(_top(head))[:-1].encode("utf-8")  # reopen the object to append "items"
    if not items:
        return [top, b',"items":[]}\n']
    parts = [top, b',"items":[\n']
    for n, it in enumerate(items):
        parts += (b",\n", it.data) if n else (it.data,)
    return parts + [b"\n]}\n"]
