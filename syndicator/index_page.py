"""The HTML page at `/` of the feed server: what a person sees before subscribing.

It lists the feeds actually present in the output directory (site-wide, per author, category
and tag) with subscribe links and autodiscovery `<link rel="alternate">` tags, and the latest
posts from feed.json with author, avatar, bio, photo credit and influences. feed.json's exact
shape is read defensively: every field is optional, `_attribution` may carry the extras under
several names, and anything missing falls back to the configured authors. Everything that
comes from a file is HTML-escaped; only http(s) URLs become links or images.

When the site writes no JSON Feed, the posts come from atom.xml or rss.xml through feedparser.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from .config import Config

logger = logging.getLogger(__name__)

# (file name, MIME type, label), in the order shown.
FORMATS = (
    ("rss.xml", "application/rss+xml", "RSS"),
    ("atom.xml", "application/atom+xml", "Atom"),
    ("feed.json", "application/feed+json", "JSON Feed"),
)
_GROUPS = (("authors", "By author"), ("categories", "By category"), ("tags", "By tag"))


@dataclass(frozen=True)
class FeedSet:
    """The feeds in one directory: `path` relative to the output ("" for the site)."""

    kind: str  # "site", "authors", "categories", "tags"
    key: str
    title: str
    path: str
    files: tuple[tuple[str, str, str], ...]  # (href, MIME type, label)


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


class IndexPage:
    """The rendered page, cached until the feed it is built from changes."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._key: Any = object()
        self._entity: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        """The page as a server.Entity, re-rendered only when feed.json (or atom/rss) changes."""
        from .server import Entity

        source = _source_file(self.config.feeds.output)
        try:
            st = source.stat() if source else None
            key = (str(source), st.st_mtime_ns, st.st_size) if st else None
        except OSError:
            st, key = None, None
        with self._lock:
            if key != self._key or self._entity is None:
                page = render(self.config, feeds=discover(self.config), entries=read_entries(self.config))
                # ETag only: the page also depends on the config and the feed list, which a
                # Last-Modified taken from one file would not reflect.
                self._entity = Entity(page.encode("utf-8"), None)
                self._key = key
            return self._entity


def _source_file(output: Path) -> Path | None:
    for name in ("feed.json", "atom.xml", "rss.xml"):
        if (output / name).is_file():
            return output / name
    return None


def discover(config: Config) -> list[FeedSet]:
    """The feed directories present in the output, site first, then authors, categories, tags."""
    out = config.feeds.output
    sets = []
    site = _feed_set(out, "", "site", "", "All posts")
    if site:
        sets.append(site)
    for kind, _ in _GROUPS:
        base = out / kind
        try:
            keys = sorted(n for n in os.listdir(base) if not n.startswith(".") and (base / n).is_dir())
        except OSError:
            continue
        for key in keys:
            fs = _feed_set(out, f"{kind}/{key}", kind, key, _title(config, out / kind / key, kind, key))
            if fs:
                sets.append(fs)
    return sets


def _feed_set(out: Path, rel: str, kind: str, key: str, title: str) -> FeedSet | None:
    prefix = f"{rel}/" if rel else ""
    files = tuple((quote(prefix + name), mime, label) for name, mime, label in FORMATS
                  if (out / prefix / name).is_file())
    return FeedSet(kind, key, title, rel, files) if files else None


def _title(config: Config, directory: Path, kind: str, key: str) -> str:
    if kind == "authors" and config.author(key):
        return config.author(key).name
    data = _read_json(directory / "feed.json")
    title = data.get("title") if isinstance(data, dict) else None
    site = config.site.title
    if isinstance(title, str) and title.strip():
        # Under a "By tag" heading, 'Site: posts tagged “craft”' reads best as 'craft'.
        quoted = re.search(r'[“"«]([^“”"«»]+)[”"»]\s*$', title)
        if quoted:
            return quoted.group(1)
        for sep in (": ", " – ", " — ", " - ", " | "):
            if title.startswith(site + sep):
                return title[len(site) + len(sep):]
        return title.strip()
    return key


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def read_entries(config: Config) -> list[Entry]:
    """The latest posts, from feed.json, else atom.xml/rss.xml; [] when there are none."""
    out = config.feeds.output
    data = _read_json(out / "feed.json")
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        return [_entry(config, item) for item in data["items"] if isinstance(item, dict)]
    for name in ("atom.xml", "rss.xml"):
        if (out / name).is_file():
            return _entries_from_xml(config, out / name)
    return []


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _url(value: Any) -> str | None:
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
        people.append({"name": name, "url": _url(a.get("url")), "avatar": _url(a.get("avatar")),
                       "bio": bio or None})
    credit, credit_url = _credit(attr, item)
    image = _url(item.get("image")) or _url(item.get("banner_image"))
    image_alt = ""
    photo = _first_dict(attr, "photo", "image")
    if photo:
        image = image or _url(photo.get("url"))
        image_alt = _text(photo.get("alt"))
    summary = _text(item.get("summary")) or _strip_html(_text(item.get("content_html")))[:400]
    return Entry(
        title=_text(item.get("title")) or "(untitled)", url=_url(item.get("url")),
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
        link = _url(credit.get("url")) or _url(photo.get("source_url"))
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
                return text, _url(c.get("url")) or _url(c.get("source_url")) or link
    return None, None


def _influences(value: Any) -> list[tuple[str, str | None, str | None]]:
    out = []
    for v in value if isinstance(value, list) else []:
        if isinstance(v, str) and v.strip():
            out.append((v.strip(), None, None))
        elif isinstance(v, dict) and (_text(v.get("name")) or _text(v.get("title"))):
            out.append((_text(v.get("name")) or _text(v.get("title")), _url(v.get("url")),
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
            title=e.get("title", "(untitled)"), url=_url(e.get("link")), date=date,
            summary=_strip_html(e.get("summary", ""))[:400],
            authors=tuple({"name": n, "url": None, "avatar": None, "bio": _config_bio(config, n)}
                          for n in names),
            image=None, image_alt="", credit=None, credit_url=None, influences=(),
        ))
    return entries


# ---------------------------------------------------------------- rendering (pure)

_CSS = """
:root{color-scheme:light dark;--fg:#1d1d1f;--muted:#5f6368;--bg:#fff;--card:#f6f7f9;--accent:#b4410f}
@media (prefers-color-scheme:dark){:root{--fg:#e8e8ea;--muted:#a0a4aa;--bg:#16171a;--card:#212328;--accent:#ff8a50}}
*{box-sizing:border-box}
body{margin:0;font:17px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
.wrap{max-width:46rem;margin:0 auto;padding:1.25rem 1rem 3rem}
header h1{font-size:1.9rem;line-height:1.2;margin:.5rem 0 .25rem}
header p{margin:.25rem 0;color:var(--muted)}
h2{font-size:1.3rem;margin:2rem 0 .75rem;border-bottom:1px solid var(--card);padding-bottom:.25rem}
h3{font-size:.95rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:1.25rem 0 .5rem}
a{color:var(--accent)}
ul.feeds{list-style:none;padding:0;margin:0}
ul.feeds li{display:flex;flex-wrap:wrap;align-items:baseline;gap:.4rem .6rem;padding:.45rem 0;border-bottom:1px solid var(--card)}
ul.feeds .name{flex:1 1 12rem;font-weight:600;overflow-wrap:anywhere}
ul.feeds .links{display:flex;gap:.4rem;flex:none}
a.fmt{display:inline-block;padding:.1rem .55rem;border-radius:1rem;background:var(--card);text-decoration:none;font-size:.85rem}
.hint{font-size:.9rem;color:var(--muted)}
article{background:var(--card);border-radius:.75rem;padding:1rem 1.1rem;margin:0 0 1.25rem}
article h4{font-size:1.25rem;line-height:1.3;margin:0 0 .3rem}
.meta{font-size:.9rem;color:var(--muted);margin:0 0 .6rem}
figure{margin:.6rem 0}
figure img{display:block;width:100%;max-height:18rem;object-fit:cover;border-radius:.5rem}
figcaption{font-size:.85rem;color:var(--muted);margin-top:.3rem}
.influences{font-size:.92rem}
.author{display:flex;gap:.75rem;align-items:flex-start;margin-top:.8rem;padding-top:.8rem;border-top:1px solid var(--bg)}
.author img{width:3.5rem;height:3.5rem;border-radius:50%;object-fit:cover;flex:none}
.author p{margin:0;font-size:.92rem}
footer{margin-top:2rem;font-size:.85rem;color:var(--muted)}
@media (min-width:48rem){body{font-size:18px}header h1{font-size:2.4rem}}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def render(config: Config, *, feeds: list[FeedSet], entries: list[Entry]) -> str:
    """The whole page as a string; pure, every value escaped."""
    site = config.site
    head = [f'<link rel="alternate" type="{mime}" title="{_e(_feed_label(site.title, fs, label))}" '
            f'href="{_e(href)}">' for fs in feeds for href, mime, label in fs.files]
    body = [
        "<header>", f"<h1>{_e(site.title)}</h1>",
        f"<p>{_e(site.description)}</p>" if site.description else "",
        f'<p><a href="{_e(site.url)}">{_e(site.url)}</a></p>' if _url(site.url) else "",
        "</header>", '<main>', '<section id="feeds"><h2>Subscribe</h2>',
        '<p class="hint">Copy a feed link into your feed reader. RSS and Atom work everywhere; '
        "JSON Feed in newer readers.</p>",
        _render_feeds(feeds, config.feeds.output),
        "</section>", '<section id="posts"><h2>Latest posts</h2>',
        _render_entries(entries),
        "</section></main>",
        '<footer>Served by syndicator. <a href="healthz">Status</a></footer>',
    ]
    return (
        f'<!doctype html>\n<html lang="{_e(site.language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(site.title)}: feeds</title>\n"
        + (f'<meta name="description" content="{_e(site.description)}">\n' if site.description else "")
        + "\n".join(head) + f"\n<style>{_CSS}</style>\n</head>\n<body>\n<div class=\"wrap\">\n"
        + "\n".join(b for b in body if b) + "\n</div>\n</body>\n</html>\n"
    )


def _feed_label(site_title: str, fs: FeedSet, label: str) -> str:
    if fs.kind == "site":
        return f"{site_title} ({label})"
    return f"{site_title}: {fs.title} ({label})"


def _render_feeds(feeds: list[FeedSet], output: Path) -> str:
    if not feeds:
        return "<p>No feeds have been built yet.</p>"
    parts = []
    for kind, heading in (("site", ""),) + _GROUPS:
        group = [fs for fs in feeds if fs.kind == kind]
        if not group:
            continue
        if heading:
            parts.append(f"<h3>{_e(heading)}</h3>")
        parts.append('<ul class="feeds">')
        for fs in group:
            links = " ".join(f'<a class="fmt" href="{_e(href)}" type="{mime}">{label}</a>'
                             for href, mime, label in fs.files)
            parts.append(f'<li class="feed feed-{kind}"><span class="name">{_e(fs.title)}</span> '
                         f'<span class="links">{links}</span></li>')
        parts.append("</ul>")
    if (output / "feeds.opml").is_file():
        parts.append('<p class="hint">All of them at once: <a href="feeds.opml" type="text/x-opml">'
                     "feeds.opml</a> (import it into your reader).</p>")
    return "\n".join(parts)


def _link(text: str, url: str | None) -> str:
    return f'<a href="{_e(url)}">{_e(text)}</a>' if url else _e(text)


def _render_entries(entries: list[Entry]) -> str:
    if not entries:
        return "<p>No posts published yet.</p>"
    seen: set[str] = set()  # an author's bio is shown at their first post only
    return "".join(_render_entry(e, seen) for e in entries)


def _render_entry(e: Entry, seen: set[str]) -> str:
    out = ['<article class="post">', f"<h4>{_link(e.title, e.url)}</h4>"]
    meta = []
    if e.date:
        meta.append(f'<time datetime="{_e(e.date.isoformat())}">{_e(e.date.strftime("%-d %B %Y"))}</time>')
    if e.authors:
        meta.append("by " + ", ".join(_link(a["name"], a["url"]) for a in e.authors))
    if meta:
        out.append(f'<p class="meta">{" · ".join(meta)}</p>')
    if e.image or e.credit:
        out.append("<figure>")
        if e.image:
            out.append(f'<img src="{_e(e.image)}" alt="{_e(e.image_alt)}" loading="lazy">')
        if e.credit:
            out.append(f'<figcaption class="credit">{_link(e.credit, e.credit_url)}</figcaption>')
        out.append("</figure>")
    if e.summary:
        out.append(f'<p class="summary">{_e(e.summary)}</p>')
    if e.influences:
        items = ", ".join(_link(n, u) + (f" ({_e(note)})" if note else "") for n, u, note in e.influences)
        out.append(f'<p class="influences">Influences: {items}</p>')
    for a in e.authors:
        if a["name"] in seen:
            continue
        seen.add(a["name"])
        if a.get("bio") or a.get("avatar"):
            avatar = f'<img src="{_e(a["avatar"])}" alt="" loading="lazy">' if a.get("avatar") else ""
            out.append(f'<div class="author">{avatar}<p class="bio"><strong>About {_e(a["name"])}.</strong> '
                       f'{_e(a.get("bio") or "")}</p></div>')
    out.append("</article>")
    return "\n".join(out)
