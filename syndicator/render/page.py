"""The HTML index page written beside the feeds (index.html, served at `/`): what a person
sees before subscribing. Pure, like the feed writers: (site, feeds, specs, items) -> bytes.

It lists every feed the build wrote (site-wide, per author, category and tag) with subscribe
links and autodiscovery `<link rel="alternate">` tags, and the site feed's posts with author,
avatar, bio, photo credit and influences, from the same prepared entries the feeds are written
from. Every value is HTML-escaped; only http(s) URLs become links or images.
"""

from __future__ import annotations

import html
from typing import Any, Sequence
from urllib.parse import quote, urlsplit

from ..config import Feeds, Site
from ..model import Author, Body, Post
from .entry import Entry, Person, prepare_entry
from .spec import CONTENT_TYPES, FeedSpec, feed_path

# Feed groups as the page shows them, after the site feed: (FeedSpec.kind, heading).
GROUPS = (("author", "By author"), ("category", "By category"), ("tag", "By tag"))
LABELS = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}

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


def index_page(site: Site, feeds: Feeds, specs: Sequence[FeedSpec], items: Sequence[tuple[Post, Body]], *,
               owner: Author | None) -> bytes:
    """The whole page; `specs` are every feed written, `items` the site feed's (newest first)."""
    return index_page_of(site, feeds, specs, [prepare_entry(site, feeds, post, body, owner) for post, body in items])


def index_page_of(site: Site, feeds: Feeds, specs: Sequence[FeedSpec], entries: Sequence[Entry]) -> bytes:
    """The whole page from the site feed's entries, already prepared (`prepare_entry`)."""
    links = [(spec, fmt) for spec in _page_order(specs) for fmt in feeds.formats]
    head = [f'<link rel="alternate" type="{CONTENT_TYPES[fmt]}" title="{_e(_feed_label(site.title, spec, fmt))}" '
            f'href="{_e(_href(feeds, spec, fmt))}">' for spec, fmt in links]
    body = [
        "<header>", f"<h1>{_e(site.title)}</h1>",
        f"<p>{_e(site.description)}</p>" if site.description else "",
        f'<p><a href="{_e(site.url)}">{_e(site.url)}</a></p>' if _http(site.url) else "",
        "</header>", '<main>', '<section id="feeds"><h2>Subscribe</h2>',
        '<p class="hint">Copy a feed link into your feed reader. RSS and Atom work everywhere; '
        "JSON Feed in newer readers.</p>",
        _render_feeds(_page_order(specs), feeds),
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
    ).encode("utf-8", "surrogatepass")


def _page_order(specs: Sequence[FeedSpec]) -> list[FeedSpec]:
    """The site feed, then authors, categories and tags (each in the plan's slug order)."""
    rank = {"site": 0, **{kind: n for n, (kind, _) in enumerate(GROUPS, 1)}}
    return sorted(specs, key=lambda spec: rank[spec.kind])


def _title(spec: FeedSpec) -> str:
    if spec.kind == "site":
        return "All posts"
    return spec.author.name if spec.author is not None else spec.key


def _href(feeds: Feeds, spec: FeedSpec, fmt: str) -> str:
    return quote(feed_path(feeds.paths, spec, fmt))


def _http(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in ("http", "https")


def _feed_label(site_title: str, spec: FeedSpec, fmt: str) -> str:
    if spec.kind == "site":
        return f"{site_title} ({LABELS[fmt]})"
    return f"{site_title}: {_title(spec)} ({LABELS[fmt]})"


def _render_feeds(specs: list[FeedSpec], feeds: Feeds) -> str:
    formats = feeds.formats
    if not specs or not formats:
        return "<p>No feeds have been built yet.</p>"
    parts = []
    for kind, heading in (("site", ""),) + GROUPS:
        group = [spec for spec in specs if spec.kind == kind]
        if not group:
            continue
        if heading:
            parts.append(f"<h3>{_e(heading)}</h3>")
        parts.append('<ul class="feeds">')
        for spec in group:
            links = " ".join(f'<a class="fmt" href="{_e(_href(feeds, spec, fmt))}" type="{CONTENT_TYPES[fmt]}">'
                             f"{LABELS[fmt]}</a>" for fmt in formats)
            parts.append(f'<li class="feed feed-{kind}"><span class="name">{_e(_title(spec))}</span> '
                         f'<span class="links">{links}</span></li>')
        parts.append("</ul>")
    opml = feeds.paths.site("opml")
    parts.append(f'<p class="hint">All of them at once: <a href="{_e(quote(opml))}" type="{CONTENT_TYPES["opml"]}">'
                 f"{_e(opml)}</a> (import it into your reader).</p>")
    return "\n".join(parts)


def _link(text: str, url: str | None) -> str:
    return f'<a href="{_e(url)}">{_e(text)}</a>' if url and _http(url) else _e(text)


def _render_entries(entries: Sequence[Entry]) -> str:
    if not entries:
        return "<p>No posts published yet.</p>"
    seen: set[str] = set()  # an author's bio is shown at their first post only
    return "".join(_render_entry(e, seen) for e in entries)


def _render_entry(e: Entry, seen: set[str]) -> str:
    out = ['<article class="post">', f"<h4>{_link(e.title, e.link)}</h4>"]
    meta = [f'<time datetime="{_e(e.published.isoformat())}">{_e(e.published.strftime("%-d %B %Y"))}</time>']
    if e.authors:
        meta.append("by " + ", ".join(_link(a.name, a.url) for a in e.authors))
    out.append(f'<p class="meta">{" · ".join(meta)}</p>')
    photo = e.photo
    if photo is not None:
        out.append("<figure>")
        if _http(photo.url):
            out.append(f'<img src="{_e(photo.url)}" alt="{_e(photo.alt)}" loading="lazy">')
        if photo.caption:
            credit_url = (photo.credit.url if photo.credit else None) or photo.source_url
            out.append(f'<figcaption class="credit">{_link(photo.caption, credit_url)}</figcaption>')
        out.append("</figure>")
    if e.summary:
        out.append(f'<p class="summary">{_e(e.summary)}</p>')
    if e.influences:
        items = ", ".join(_link(r.name or r.url or "", r.url) + (f" ({_e(r.note)})" if r.note else "")
                          for r in e.influences)
        out.append(f'<p class="influences">Influences: {items}</p>')
    out += _render_bios(e.authors, seen)
    out.append("</article>")
    return "\n".join(out)


def _render_bios(authors: tuple[Person, ...], seen: set[str]) -> list[str]:
    out = []
    for a in authors:
        if a.name in seen:
            continue
        seen.add(a.name)
        avatar = a.avatar if a.avatar and _http(a.avatar) else None
        if a.bio or avatar:
            img = f'<img src="{_e(avatar)}" alt="" loading="lazy">' if avatar else ""
            out.append(f'<div class="author">{img}<p class="bio"><strong>About {_e(a.name)}.</strong> '
                       f'{_e(a.bio or "")}</p></div>')
    return out
