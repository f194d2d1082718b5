"""The facts every feed format writes, cleaned once: strings free of XML-invalid characters,
absolute URI-safe URLs, resolved authors and licenses.

`prepare_entry` turns a (Post, Body) into an `Entry`; `prepare_head` does the same for the feed
itself. The writers (rss, atom, jsonfeed) only lay these facts out, so a rule such as "every
entry has an author" or "the permalink is canonical_url if set" lives here, once.

Choices made here:

- Entry id: `post.id`, always (stable across URL, domain and title changes).
- Permalink (RSS `<link>`, Atom `rel="alternate"`, JSON `url`): `post.canonical_url` when the
  post has one, else `post.url`. `canonical_url` is the address the author wants the text known
  by (e.g. the original publication of a republished piece), so readers are sent there; the id
  does not change with it. (JSON Feed's `external_url` is left alone: it names the thing a
  linkblog post talks about, not another copy of the post.)
- Authors: the post's authors; none given -> the site owner; no owner either -> the site itself
  (name = site title, url = home page), so that every entry names somebody.
- License: the post's own license, else the site's. `own_license` tells the writers whether
  the entry must restate it (RSS `creativeCommons:license`, Atom entry `<rights>`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import lru_cache
from typing import Sequence

from ..config import Feeds, Site
from ..model import Author, Body, Link, Post
from .footer import footer_html, license_name  # noqa: F401 (license_name re-exported)
from .sanitize import aware, clean, language, maybe_uri, uri

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# Prepared entries (and JSON items) memoized per process. A post's three formats are written
# one after the other, so even a small cache saves most of the work; 256 entries of 1,000-word
# posts hold about 10 MB. (Caching built XML items as well was measured: slower on a realistic
# build, since a post's feeds are far apart and a miss then costs a build and a copy.)
CACHE_SIZE = 256
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+$")


@dataclass(frozen=True, slots=True)
class Person:
    """An author, owner or photographer as feeds show them; bio is plain text."""

    name: str
    url: str | None = None
    email: str | None = None
    avatar: str | None = None
    bio: str | None = None
    bio_html: str | None = None


@dataclass(frozen=True, slots=True)
class Ref:
    """An influence, source or via: a name, maybe a URL and a note."""

    name: str
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Photo:
    """The lead image and its credit; `caption` is "Photo by … on …" or ""."""

    url: str
    alt: str
    type: str | None
    caption: str
    credit: Person | None  # name + url of the photographer
    source: str | None
    source_url: str | None
    license: str | None


@dataclass(frozen=True, slots=True)
class Entry:
    """One feed item, ready to write."""

    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    summary: str
    content: str | None  # full HTML plus the attribution footer; None when summary_only
    authors: tuple[Person, ...]
    terms: tuple[str, ...]  # tags then categories, duplicates dropped
    photo: Photo | None
    license: str | None  # effective license URL
    own_license: bool  # the post's license differs from the site's
    influences: tuple[Ref, ...]
    sources: tuple[Ref, ...]
    via: Ref | None
    lang: str | None


@dataclass(frozen=True, slots=True)
class Item:
    """One entry as one format writes it into every feed that lists it: UTF-8 text, the entry's
    update time (for the feed's), and the namespace prefixes the text uses (XML formats)."""

    data: bytes
    updated: datetime
    prefixes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Head:
    """Feed-level facts shared by every format."""

    title: str
    description: str
    home: str
    self_url: str
    language: str | None
    copyright: str | None
    license: str | None
    icon: str | None  # Atom icon, JSON icon (square): the author's avatar on author feeds
    image: str | None  # RSS <image>: the avatar on author feeds, else the site logo (or icon)
    logo: str | None
    favicon: str | None
    authors: tuple[Person, ...]
    hubs: tuple[str, ...]
    updated: datetime


def person(author: Author, base: str) -> Person:
    """An Author as feeds show it; an e-mail that is not a plain address is dropped (RSS
    <author> must be one, validator InvalidContact), so the name goes to dc:creator instead.
    Memoized per distinct (author, base): a site has few authors and each writes many posts."""
    try:
        return _person_cached(author, base)
    except TypeError:  # an unhashable field: just do the work
        return _person(author, base)


@lru_cache(maxsize=256)
def _person_cached(author: Author, base: str) -> Person:
    return _person(author, base)


def _person(author: Author, base: str) -> Person:
    email = clean(author.email).strip()
    return Person(
        name=clean(author.name).strip() or clean(author.key).strip() or "Unknown",
        url=maybe_uri(author.url, base),
        email=email if _EMAIL.match(email) else None,
        avatar=maybe_uri(author.avatar, base),
        bio=clean(author.bio_text).strip() or None,
        bio_html=clean(author.bio_html).strip() or None,
    )


def site_person(site: Site) -> Person:
    """The site standing in for an author when nobody else is named."""
    return Person(name=clean(site.title).strip() or site.url, url=uri(site.url, site.url))


def _ref(link: Link, base: str) -> Ref:
    return Ref(name=clean(link.name), url=maybe_uri(link.url, base), note=clean(link.note) or None)


def _photo(post: Post, base: str) -> Photo | None:
    image = post.image
    if image is None or not image.url:
        return None
    credit = image.credit
    return Photo(
        url=uri(image.url, base), alt=clean(image.alt), type=image.type or None,
        caption=clean(credit.text()) if credit else "",
        credit=Person(name=clean(credit.name).strip(), url=maybe_uri(credit.url, base))
        if credit else None,
        source=clean(credit.source) or None if credit else None,
        source_url=maybe_uri(credit.source_url, base) if credit else None,
        license=maybe_uri(image.license, base),
    )


def _terms(post: Post) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for term in (*post.tags, *post.categories):
        term = clean(term).strip()
        if term:
            seen.setdefault(term, None)
    return tuple(seen)


def prepare_entry(site: Site, feeds: Feeds, post: Post, body: Body, owner: Author | None) -> Entry:
    """Everything the writers need about one post, cleaned and resolved.

    Memoized: a post appears in the site feed, its tag, category and author feeds, each in
    three formats, and preparing it (cleaning, URL encoding, the footer) is most of the cost of
    writing it. The key holds every input, so a changed post or body is prepared afresh.
    """
    try:
        return _prepare_cached(site, feeds.summary_only, post, body, owner)
    except TypeError:  # an unhashable field (a list where a tuple belongs): just do the work
        return _prepare(site, feeds.summary_only, post, body, owner)


def prepare_entry_once(site: Site, feeds: Feeds, post: Post, body: Body, owner: Author | None) -> Entry:
    """`prepare_entry` without its memo, for a caller that keeps entries itself (the build)."""
    return _prepare(site, feeds.summary_only, post, body, owner)


@lru_cache(maxsize=CACHE_SIZE)
def _prepare_cached(site: Site, summary_only: bool, post: Post, body: Body,
                    owner: Author | None) -> Entry:
    return _prepare(site, summary_only, post, body, owner)


def _prepare(site: Site, summary_only: bool, post: Post, body: Body, owner: Author | None) -> Entry:
    base = site.url
    if post.authors:
        authors = tuple(person(a, base) for a in post.authors)
    else:
        authors = (person(owner, base),) if owner else (site_person(site),)
    link = uri(post.canonical_url or post.url or base, base)
    ident = clean(post.id).strip() or uri(post.url or base, base)  # the loader always sets an id
    site_license = maybe_uri(site.license, base)
    post_license = maybe_uri(post.license, base)
    entry = Entry(
        id=ident, title=clean(post.title), link=link,
        published=aware(post.published, site), updated=aware(post.updated, site),
        summary=clean(body.summary), content=None, authors=authors, terms=_terms(post),
        photo=_photo(post, base), license=post_license or site_license,
        own_license=post_license is not None and post_license != site_license,
        influences=tuple(_ref(i, base) for i in post.influences if i.name or i.url),
        sources=tuple(_ref(s, base) for s in post.sources if s.name or s.url),
        via=_ref(post.via, base) if post.via and (post.via.name or post.via.url) else None,
        lang=language(post.lang),
    )
    if summary_only:
        return entry
    return _with_content(entry, clean(body.html))


def _with_content(entry: Entry, body_html: str) -> Entry:
    lead, footer = footer_html(entry, body_html)
    return replace(entry, content=lead + body_html + footer)


def prepare_head(site: Site, feeds: Feeds, title: str, self_url: str, feed_author: Author | None,
                 owner: Author | None, entries: Sequence[Entry | Item]) -> Head:
    """Feed-level facts; `feed_author` is set for per-author feeds; `entries` (or their items) give `updated`."""
    base = site.url
    if feed_author is not None:
        authors = (person(feed_author, base),)
    elif owner is not None:
        authors = (person(owner, base),)
    else:
        authors = (site_person(site),)
    description = clean(site.description).strip()
    if feed_author is not None and authors[0].bio:
        description = authors[0].bio
    favicon = maybe_uri(site.icon, base)
    logo = maybe_uri(site.logo, base)
    avatar = authors[0].avatar if feed_author is not None else None
    title = clean(title).strip() or clean(site.title).strip() or site.url
    return Head(
        title=title, description=description or title, home=uri(base, base), self_url=self_url,
        language=language(site.language), copyright=clean(site.copyright).strip() or None,
        license=maybe_uri(site.license, base), icon=avatar or favicon,
        image=avatar or logo or favicon, logo=logo, favicon=favicon, authors=authors,
        hubs=tuple(uri(h, base) for h in feeds.hubs if h.strip()),
        updated=max((e.updated for e in entries), default=EPOCH),
    )


def rss_contact(who: Person) -> str | None:
    """RSS `author`/`managingEditor` value "jane@example.org (Jane Doe)", or None without e-mail."""
    return f"{who.email} ({who.name})" if who.email else None


def escape_text(text: str) -> str:
    """Plain text as HTML (RSS description is entity-encoded HTML, RSS Board profile)."""
    return html.escape(text, quote=False)
