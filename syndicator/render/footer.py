"""The small HTML attribution footer appended to every entry's full content.

Feed readers show none of media:credit, rights, licenses or sources, so what a reader must see
is written into the HTML too (feeds.md, "What a person must see goes in the HTML too"):

- the photo: when the body does not already show the lead image, a
  `<figure><img><figcaption>Photo by … on …</figcaption></figure>` goes *before* the body (where
  the site shows it); when the body shows it, the footer carries a `<figure>` holding just the
  `<figcaption>` credit. Photographer and source are links when their URLs are known.
- "Intellectual influences", "Sources" and "Via" lines, each name a link when it has a URL.
- the license, by name ("CC BY 4.0") and link.
- "About the author" (or "About the authors"): each author's linked name and bio HTML.

Plain markup only (p, a, figure, figcaption, img, h3, hr, footer), so sanitizing readers keep it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING

from ..model import credit_line

if TYPE_CHECKING:  # entry imports this module; the types are only for annotations
    from .entry import Entry, Person, Photo, Ref

_CC = re.compile(r"creativecommons\.org/(licenses|publicdomain)/([a-z-]+)/(\d+(?:\.\d+)?)", re.I)


def license_name(url: str) -> str:
    """A short human name for a license URL ("CC BY-SA 4.0"), else the URL itself."""
    match = _CC.search(url)
    if not match:
        return url
    kind, code, version = match.groups()
    if kind.lower() == "publicdomain":
        return "Public Domain" if code.lower() == "mark" else f"CC0 {version}"
    return f"CC {code.upper()} {version}"


def _a(text: str, url: str | None) -> str:
    label = escape(text, quote=False)
    return f'<a href="{escape(url)}">{label}</a>' if url else label


def _refs(refs: tuple[Ref, ...]) -> str:
    out = []
    for ref in refs:
        item = _a(ref.name or ref.url or "", ref.url)
        if ref.note:
            item += f" ({escape(ref.note, quote=False)})"
        out.append(item)
    return ", ".join(out)


def _caption(photo: Photo) -> str:
    parts = []
    if photo.credit is not None:
        source = _a(photo.source, photo.source_url) if photo.source else None
        parts.append(credit_line(_a(photo.credit.name, photo.credit.url), source))
    if photo.license:
        parts.append(f"License: {_a(license_name(photo.license), photo.license)}")
    return ". ".join(parts)


def _photo(photo: Photo, body_html: str) -> tuple[str, str]:
    caption = _caption(photo)
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    escaped = escape(photo.url)
    if photo.url in body_html or (escaped != photo.url and escaped in body_html):
        return "", f"<figure>{figcaption}</figure>" if caption else ""
    img = f'<img src="{escape(photo.url)}" alt="{escape(photo.alt)}">'
    return f"<figure>{img}{figcaption}</figure>\n", ""


def _about(entry: Entry) -> str:
    try:
        return footer_about(entry.authors)
    except TypeError:  # an unhashable field: just do the work
        return _about_of(entry.authors)


@lru_cache(maxsize=256)
def footer_about(authors: tuple[Person, ...]) -> str:
    """"About the author(s)" for these authors (memoized: the same few authors write every post)."""
    return _about_of(authors)


def _about_of(authors: tuple[Person, ...]) -> str:
    shown = [a for a in authors if a.bio_html or a.url]
    if not shown:
        return ""
    out = [f"<h3>About the author{'s' if len(shown) > 1 else ''}</h3>"]
    for who in shown:
        out.append(f"<p><strong>{_a(who.name, who.url)}</strong></p>")
        if who.bio_html:
            out.append(who.bio_html)
    return "\n".join(out)


def footer_html(entry: Entry, body_html: str) -> tuple[str, str]:
    """(HTML to put before the body, HTML footer to put after it); either may be ""."""
    lead, figure = _photo(entry.photo, body_html) if entry.photo else ("", "")
    parts = [figure] if figure else []
    if entry.influences:
        parts.append(f"<p>Intellectual influences: {_refs(entry.influences)}</p>")
    if entry.sources:
        parts.append(f"<p>Sources: {_refs(entry.sources)}</p>")
    if entry.via:
        parts.append(f"<p>Via {_refs((entry.via,))}</p>")
    if entry.license:
        parts.append(f"<p>License: {_a(license_name(entry.license), entry.license)}</p>")
    about = _about(entry)
    if about:
        parts.append(about)
    if not parts:
        return lead, ""
    return lead, '\n<hr>\n<footer class="attribution">\n' + "\n".join(parts) + "\n</footer>\n"
