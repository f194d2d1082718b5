"""Feed bytes -> entries: RSS 0.9x/1.0/2.0 and Atom with feedparser, JSON Feed with `json`.

Hostile or broken bytes raise SourceError (one failed poll), never anything else:
- entity declarations are refused before any parser sees them (billion laughs);
- a document that does not end with its root's closing tag is truncated;
- feedparser's lenient fallback is accepted for real-world slips (an HTML entity, a stray
  `&`) only when the document is complete;
- bytes that are not in the declared encoding are refused rather than posted as mojibake.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import feedparser

from ..errors import SourceError
from ..sources_settings import MAX_BYTES
from .entry import Entry, EntryAuthor

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_ROOT_CLOSE = re.compile(rb"</\s*(?:[\w.-]+:)?(?:rss|feed|RDF)\s*>\s*(?:<!--.*?-->\s*)*\Z", re.S)
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""\b(src|alt)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_BENIGN = ("NonXMLContentType",)


@dataclass(frozen=True)
class Feed:
    """A parsed feed: its kind ("rss20", "atom10", "json", ...), title, link and entries."""

    kind: str
    title: str
    link: str | None
    entries: tuple[Entry, ...]


def parse_feed(data: bytes, *, where: str = "feed") -> Feed:
    """Parse feed bytes; SourceError (naming `where`) when they are not a usable feed."""
    if len(data) > MAX_BYTES:
        raise SourceError(f"{where}: {len(data)} bytes is over the {MAX_BYTES} byte limit")
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"["):
        return _parse_json(data, where)
    if not head:
        raise SourceError(f"{where}: empty response (no feed)")
    if _ENTITY_DECL.search(data):
        raise SourceError(f"{where}: the document declares XML entities (<!ENTITY>); refused, "
                          "since that is how entity bombs work and no real feed needs it")
    return _parse_xml(data, where)


def _parse_xml(data: bytes, where: str) -> Feed:
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=True)
    problem = parsed.get("bozo_exception")
    name = type(problem).__name__ if problem is not None else ""
    if not parsed.get("version"):
        detail = f" ({_short(problem)})" if problem is not None else ""
        raise SourceError(f"{where}: not a feed: neither RSS, Atom nor JSON Feed{detail}")
    if name.startswith("CharacterEncoding"):
        raise SourceError(f"{where}: wrong encoding: {_short(problem)}")
    if problem is not None and name not in _BENIGN and not _ROOT_CLOSE.search(data.rstrip()):
        raise SourceError(f"{where}: truncated or malformed XML: {_short(problem)}")
    feed = parsed.get("feed", {})
    authors = _authors(feed.get("authors"))
    entries = tuple(_xml_entry(e, authors) for e in parsed.get("entries", ()))
    return Feed(kind=parsed["version"], title=feed.get("title", ""), link=feed.get("link"),
                entries=entries)


def _short(problem: Any) -> str:
    return str(getattr(problem, "getMessage", lambda: problem)())[:200]


def _xml_entry(e: Any, feed_authors: tuple[EntryAuthor, ...]) -> Entry:
    """One feedparser entry (dict.get: no deprecated updated->published fallback)."""
    content = ""
    for part in e.get("content") or ():
        if part.get("type") in ("text/html", "application/xhtml+xml", "text/plain"):
            content = part.get("value") or ""
            break
    summary = e.get("summary") or ""
    image_url, image_alt = _xml_image(e, content or summary)
    return Entry(
        entry_id=e.get("id") or None, link=e.get("link") or None,
        title=e.get("title") or "", published=_stamp(e.get("published_parsed")),
        updated=_stamp(dict.get(e, "updated_parsed")), summary_html=summary, content_html=content,
        authors=_authors(e.get("authors")) or feed_authors,
        tags=_tags([t.get("term") or t.get("label") for t in e.get("tags") or ()]),
        image_url=image_url, image_alt=image_alt,
        raw_date=e.get("published") or dict.get(e, "updated") or "",
    )


def _xml_image(e: Any, html: str) -> tuple[str | None, str]:
    """Lead image: media:content, media:thumbnail, an image enclosure, then the first <img>."""
    first_img = _first_img(html)
    candidates = [m.get("url") for m in e.get("media_content") or ()
                  if m.get("medium", "image") == "image" or str(m.get("type", "")).startswith("image/")]
    candidates += [m.get("url") for m in e.get("media_thumbnail") or ()]
    candidates += [x.get("href") for x in e.get("enclosures") or ()
                   if str(x.get("type", "")).startswith("image/")]
    for url in candidates:
        if url:
            alt = first_img[1] if first_img and first_img[0] == url else ""
            return url, alt
    return first_img if first_img else (None, "")


def _first_img(html: str) -> tuple[str, str] | None:
    tag = _IMG.search(html or "")
    if not tag:
        return None
    attrs = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
             for m in _ATTR.finditer(tag.group(0))}
    return (attrs["src"], attrs.get("alt", "")) if attrs.get("src") else None


def _authors(raw: Any) -> tuple[EntryAuthor, ...]:
    out = []
    for a in raw or ():
        if isinstance(a, dict) and (a.get("name") or "").strip():
            out.append(EntryAuthor(name=a["name"].strip(), url=a.get("href") or a.get("url"),
                                   email=a.get("email")))
    return tuple(out)


def _tags(terms: Any) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for term in terms:
        if isinstance(term, str) and term.strip():
            seen.setdefault(term.strip(), None)
    return tuple(seen)


def _stamp(parsed: Any) -> str | None:
    """feedparser's UTC struct_time -> ISO 8601."""
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), timezone.utc).isoformat()
    except (OverflowError, ValueError, OSError):
        return None


def _parse_json(data: bytes, where: str) -> Feed:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SourceError(f"{where}: wrong encoding: JSON Feed must be UTF-8 ({exc.reason} at "
                          f"byte {exc.start})") from None
    except RecursionError:
        raise SourceError(f"{where}: JSON nested too deeply") from None
    except ValueError as exc:
        raise SourceError(f"{where}: truncated or malformed JSON: {exc}") from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
            "https://jsonfeed.org/version/"):
        raise SourceError(f"{where}: JSON but not a JSON Feed (no jsonfeed.org version)")
    items = doc.get("items")
    if not isinstance(items, list):
        raise SourceError(f"{where}: JSON Feed without an items list")
    authors = _json_authors(doc)
    entries = tuple(_json_entry(i, authors) for i in items if isinstance(i, dict))
    return Feed(kind="json", title=_text(doc.get("title")), link=_text(doc.get("home_page_url")) or None,
                entries=entries)


def _json_entry(item: dict[str, Any], feed_authors: tuple[EntryAuthor, ...]) -> Entry:
    content = _text(item.get("content_html"))
    if not content and item.get("content_text"):
        from html import escape

        content = "<p>" + escape(_text(item["content_text"])) + "</p>"
    image, alt = _text(item.get("image")) or None, ""
    if image is None:
        image, alt = _first_img(content) or (None, "")
    raw_id = item.get("id")
    return Entry(
        entry_id=str(raw_id) if isinstance(raw_id, (str, int)) and str(raw_id).strip() else None,
        link=_text(item.get("url")) or _text(item.get("external_url")) or None,
        title=_text(item.get("title")), published=_iso(item.get("date_published")),
        updated=_iso(item.get("date_modified")), summary_html=_escape_text(item.get("summary")),
        content_html=content, authors=_json_authors(item) or feed_authors,
        tags=_tags(item.get("tags") or () if isinstance(item.get("tags"), list) else ()),
        image_url=image, image_alt=alt, raw_date=_text(item.get("date_published")),
    )


def _json_authors(obj: dict[str, Any]) -> tuple[EntryAuthor, ...]:
    raw = obj.get("authors")
    if not isinstance(raw, list):
        raw = [obj["author"]] if isinstance(obj.get("author"), dict) else []
    return _authors([a for a in raw if isinstance(a, dict)])


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _escape_text(value: Any) -> str:
    from html import escape

    return escape(_text(value)) if _text(value) else ""


def _iso(value: Any) -> str | None:
    try:
        parsed = datetime.fromisoformat(_text(value))
    except ValueError:
        return None
    return parsed.isoformat() if parsed.tzinfo else None
