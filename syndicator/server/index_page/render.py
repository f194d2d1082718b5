"""The page's HTML: pure, every value escaped."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from ...config import Config
from .entries import Entry, http_url
from .feeds import GROUPS, FeedSet

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
        f'<p><a href="{_e(site.url)}">{_e(site.url)}</a></p>' if http_url(site.url) else "",
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
    for kind, heading in (("site", ""),) + GROUPS:
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
    out += _render_bios(e.authors, seen)
    out.append("</article>")
    return "\n".join(out)


def _render_bios(authors: tuple[dict[str, str | None], ...], seen: set[str]) -> list[str]:
    out = []
    for a in authors:
        if a["name"] in seen:
            continue
        seen.add(a["name"])
        if a.get("bio") or a.get("avatar"):
            avatar = f'<img src="{_e(a["avatar"])}" alt="" loading="lazy">' if a.get("avatar") else ""
            out.append(f'<div class="author">{avatar}<p class="bio"><strong>About {_e(a["name"])}.</strong> '
                       f'{_e(a.get("bio") or "")}</p></div>')
    return out
