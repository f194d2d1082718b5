"""The latest posts as the page shows them, read defensively from feed.json (else Atom/RSS)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ...config import Config


@dataclass(frozen=True)
class Entry:
    """One post as shown on the page; every field already plain text or a checked URL."""

    title: str
    url: str | None
    date: datetime | None
    summary: str
    authors: tuple[dict[str, str | None], ...]  # name, url, avatar, bio
    image: str | None
    image_alt: str
    credit: str | None
    credit_url: str | None
    influences: tuple[tuple[str, str | None, str | None], ...]  # name, url, note


def read_json(path: Path) -> Any:
    """The parsed JSON in `path`, or None when it is missing or not JSON."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def read_entries(config: Config) -> list[Entry]:
    """The latest posts, from feed.json, else atom.xml/rss.xml; [] when there are none."""
    out = config.feeds.output
    data = read_json(out / "feed.json")
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        return [_entry(config, item) for item in data["items"] if isinstance(item, dict)]
    for name in ("atom.xml", "rss.xml"):
        if (out / name).is_file():
            return _entries_from_xml(config, out / name)
    return []


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def http_url(value: Any) -> str | None:
    """Only absolute http(s) URLs: never javascript:, data: or relative surprises."""
    if isinstance(value, str) and urlsplit(value.strip()).scheme in ("http", "https"):
        return value.strip()
    return None


def _date(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _strip_html(fragment: str) -> str:
    from html.parser import HTMLParser

    parts: list[str] = []
    parser = HTMLParser()
    parser.handle_data = parts.append  # type: ignore[method-assign]
    parser.feed(fragment)
    parser.close()
    return " ".join("".join(parts).split())


def _entry(config: Config, item: dict[str, Any]) -> Entry:
    attribution = item.get("_attribution")
    attr = attribution if isinstance(attribution, dict) else {}
    authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
    bios = _bios(attr)
    people = []
    for a in authors if isinstance(authors, list) else []:
        if not isinstance(a, dict) or not _text(a.get("name")):
            continue
        name = _text(a["name"])
        bio = _text(a.get("_bio")) or _text(a.get("bio")) or bios.get(name) or _config_bio(config, name)
        people.append({"name": name, "url": http_url(a.get("url")), "avatar": http_url(a.get("avatar")),
                       "bio": bio or None})
    credit, credit_url = _credit(attr, item)
    image = http_url(item.get("image")) or http_url(item.get("banner_image"))
    image_alt = ""
    photo = _first_dict(attr, "photo", "image")
    if photo:
        image = image or http_url(photo.get("url"))
        image_alt = _text(photo.get("alt"))
    summary = _text(item.get("summary")) or _strip_html(_text(item.get("content_html")))[:400]
    return Entry(
        title=_text(item.get("title")) or "(untitled)", url=http_url(item.get("url")),
        date=_date(item.get("date_published")), summary=summary, authors=tuple(people),
        image=image, image_alt=image_alt, credit=credit, credit_url=credit_url,
        influences=tuple(_influences(attr.get("influences"))),
    )


def _first_dict(attr: dict[str, Any], *names: str) -> dict[str, Any] | None:
    for name in names:
        if isinstance(attr.get(name), dict):
            return attr[name]
    return None


def _bios(attr: dict[str, Any]) -> dict[str, str]:
    """name -> plain-text bio from `_attribution` (authors list or a single bio)."""
    found = {}
    people = attr.get("authors") or attr.get("author")
    for p in people if isinstance(people, list) else [people]:
        if isinstance(p, dict) and _text(p.get("name")):
            bio = _text(p.get("bio_text")) or _text(p.get("bio")) or _strip_html(_text(p.get("bio_html")))
            if bio:
                found[_text(p["name"])] = bio
    return found


def _config_bio(config: Config, name: str) -> str | None:
    for author in config.authors.values():
        if author.name == name:
            return author.bio_text or (author.bio and _strip_html(author.bio))
    return None


def _credit(attr: dict[str, Any], item: dict[str, Any]) -> tuple[str | None, str | None]:
    """("Photo by X on Y", link) from `_attribution`'s image/photo/credit, in any of its shapes."""
    photo = _first_dict(attr, "photo", "image") or {}
    link = None
    credit = photo.get("credit")
    if isinstance(credit, dict):
        link = http_url(credit.get("url")) or http_url(photo.get("source_url"))
    for c in (photo.get("caption"), attr.get("photo_credit"), attr.get("credit"), credit, photo.get("text")):
        if isinstance(c, str) and c.strip():
            return c.strip(), link
        if isinstance(c, dict):
            text = _text(c.get("text")) or _text(c.get("caption"))
            name = _text(c.get("name"))
            if not text and name:
                source = _text(c.get("source")) or _text(photo.get("source"))
                text = f"Photo by {name}" + (f" on {source}" if source else "")
            if text:
                return text, http_url(c.get("url")) or http_url(c.get("source_url")) or link
    return None, None


def _influences(value: Any) -> list[tuple[str, str | None, str | None]]:
    out = []
    for v in value if isinstance(value, list) else []:
        if isinstance(v, str) and v.strip():
            out.append((v.strip(), None, None))
        elif isinstance(v, dict) and (_text(v.get("name")) or _text(v.get("title"))):
            out.append((_text(v.get("name")) or _text(v.get("title")), http_url(v.get("url")),
                        _text(v.get("note")) or None))
    return out


def _entries_from_xml(config: Config, path: Path) -> list[Entry]:
    import feedparser

    parsed = feedparser.parse(path.read_bytes())
    entries = []
    for e in parsed.entries:
        names = [a.get("name") for a in e.get("authors", []) if a.get("name")]
        date = None
        if e.get("published_parsed"):
            date = datetime(*e.published_parsed[:6])
        entries.append(Entry(
            title=e.get("title", "(untitled)"), url=http_url(e.get("link")), date=date,
            summary=_strip_html(e.get("summary", ""))[:400],
            authors=tuple({"name": n, "url": None, "avatar": None, "bio": _config_bio(config, n)}
                          for n in names),
            image=None, image_alt="", credit=None, credit_url=None, influences=(),
        ))
    return entries
