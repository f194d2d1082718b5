"""WordPress eXtended RSS (WXR 1.0-1.2) -> ImportItems, and what was skipped and why.

Parsed with lxml with entity expansion, DTD loading and network access off, and without
huge_tree, so a hostile export cannot expand or reach out. Posts with status `publish` are
imported; drafts (draft, pending, auto-draft, future, trash), private posts, attachments,
pages and everything else (menus, blocks, templates) are counted, not written. An attachment
named by a post's `_thumbnail_id` becomes its lead image, with its alt text and caption
(the credit, when the caption has one).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import SourceError
from ..posts.slugs import slugify
from .items import ImportAuthor, ImportImage, ImportItem

_DRAFTS = {"draft", "pending", "auto-draft", "future", "trash"}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True,
                           huge_tree=False, dtd_validation=False, strip_cdata=True)


def is_wxr(data: bytes) -> bool:
    """True when the bytes look like a WordPress export (its namespace appears early on)."""
    return b"wordpress.org/export/" in data[:8192]


def read_wxr(path: Path) -> tuple[list[ImportItem], Counter]:
    """The posts of a WXR file, and a count of what was skipped by reason."""
    try:
        root = etree.parse(str(path), _parser()).getroot()
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", 0)
        raise SourceError(f"{path}:{line}: not a readable WordPress export: {exc.msg}") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc})") from None
    channel = root.find("channel")
    if channel is None:
        raise SourceError(f"{path}:1: not a WordPress export (no <channel>)")
    authors = _authors(channel)
    items = [_fields(item) for item in channel.iter("item")]
    attachments = {f.get("wp:post_id"): f for f in items if f.get("wp:post_type") == "attachment"}
    out: list[ImportItem] = []
    skipped: Counter = Counter()
    for fields in items:
        why = _skip_reason(fields)
        if why:
            skipped[why] += 1
            continue
        out.append(_item(fields, authors, attachments))
    return out, skipped


def _skip_reason(f: dict[str, Any]) -> str:
    kind, status = f.get("wp:post_type") or "post", f.get("wp:status") or "publish"
    if kind == "attachment":
        return "attachment"
    if kind == "page":
        return "page (not a post)"
    if kind != "post":
        return f"{kind} (not a post)"
    if status == "private" or f.get("wp:post_password"):
        return "private"
    if status in _DRAFTS:
        return "draft"
    return "" if status == "publish" else f"status {status}"


def _fields(item: etree._Element) -> dict[str, Any]:
    """An <item>'s children as 'prefix:name' -> text (wp:, content:, excerpt:, dc:), plus
    categories, tags and postmeta."""
    out: dict[str, Any] = {"categories": [], "tags": [], "meta": {}}
    for child in item:
        if not isinstance(child.tag, str):
            continue
        name = _name(child)
        if name == "category":
            domain = child.get("domain")
            (out["tags"] if domain == "post_tag" else out["categories"] if domain in
             (None, "category") else []).append((child.text or "").strip())
        elif name == "wp:postmeta":
            key, value = (_text(child, "meta_key"), _text(child, "meta_value"))
            out["meta"][key] = value
        else:
            out.setdefault(name, (child.text or "").strip())
    return out


def _name(el: etree._Element) -> str:
    qname = etree.QName(el)
    ns = qname.namespace or ""
    for part, prefix in (("/excerpt/", "excerpt"), ("wordpress.org/export", "wp"),
                         ("rss/1.0/modules/content", "content"), ("purl.org/dc/", "dc")):
        if part in ns:
            return f"{prefix}:{qname.localname}"
    return qname.localname


def _text(el: etree._Element, local: str) -> str:
    for child in el:
        if isinstance(child.tag, str) and etree.QName(child).localname == local:
            return (child.text or "").strip()
    return ""


def _authors(channel: etree._Element) -> dict[str, ImportAuthor]:
    out = {}
    for el in channel:
        if isinstance(el.tag, str) and _name(el) == "wp:author":
            login = _text(el, "author_login")
            name = _text(el, "author_display_name") or login
            if login:
                out[login] = ImportAuthor(key=slugify(login), name=name,
                                          email=_text(el, "author_email") or None)
    return out


def _item(f: dict[str, Any], authors: dict[str, ImportAuthor],
          attachments: dict[str | None, dict[str, Any]]) -> ImportItem:
    date = _gmt(f.get("wp:post_date_gmt")) or _rfc822(f.get("pubDate")) or \
        _gmt(f.get("wp:post_date")) or datetime(1970, 1, 1, tzinfo=timezone.utc)
    updated = _gmt(f.get("wp:post_modified_gmt"))
    login = f.get("dc:creator") or ""
    author = authors.get(login) or (ImportAuthor(slugify(login), login) if login else None)
    title = f.get("title") or ""
    return ImportItem(
        id=f.get("guid") or f.get("link") or f"wp-post-{f.get('wp:post_id')}",
        slug=slugify(f.get("wp:post_name") or title or str(f.get("wp:post_id"))),
        title=title or "(untitled)", date=date,
        updated=updated if updated and updated > date else None,
        body=autop(f.get("content:encoded") or ""), summary=f.get("excerpt:encoded") or None,
        authors=(author,) if author else (), tags=_unique(f["tags"]),
        categories=_unique(c for c in f["categories"] if c and c != "Uncategorized"),
        image=_image(f, attachments), canonical_url=f.get("link") or None)


def _image(f: dict[str, Any], attachments: dict[str | None, dict[str, Any]]) -> ImportImage | None:
    thumb = attachments.get(f["meta"].get("_thumbnail_id"))
    if not thumb or not thumb.get("wp:attachment_url"):
        return None
    caption = re.sub(r"<[^>]+>", "", thumb.get("excerpt:encoded") or "").strip()
    caption = re.sub(r"^(?:photo(?:graph)?|image|credit)(?:\s+by)?\s*[:\-–]?\s*", "", caption,
                     flags=re.IGNORECASE)
    return ImportImage(url=thumb["wp:attachment_url"],
                       alt=thumb["meta"].get("_wp_attachment_image_alt", ""),
                       credit=caption or None)


def autop(html: str) -> str:
    """WordPress stores paragraphs as blank lines; wrap such text in <p> (like wpautop, simply)."""
    html = html.strip()
    if not html or re.search(r"<(p|div|figure|h[1-6]|ul|ol|table|blockquote|pre)\b", html, re.I):
        return html
    return "\n".join(f"<p>{part.strip()}</p>" for part in re.split(r"\n\s*\n", html) if part.strip())


def _unique(values: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _gmt(text: str | None) -> datetime | None:
    if not text or text.startswith("0000"):
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _rfc822(text: str | None) -> datetime | None:
    try:
        value = parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError):
        return None
    return value if value and value.tzinfo else None
