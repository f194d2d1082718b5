"""A feed entry as syndicator keeps it, and the Post that cross-posting builds from it.

Entries are stored in the ledger database as JSON (`to_json`/`from_json`), so a retry hours
later delivers exactly what the feed said when the entry was first seen, even if the feed has
since dropped it or answers 304.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from urllib.parse import urljoin

from ..model import Author, Image, Post
from ..posts.content import html_to_text
from ..posts.slugs import slugify
from .identity import normalise_link


@dataclass(frozen=True)
class EntryAuthor:
    """A byline as the feed gave it."""

    name: str
    url: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Entry:
    """One feed entry, parsed: what RSS, Atom and JSON Feed have in common."""

    entry_id: str | None
    link: str | None
    title: str
    published: str | None  # ISO 8601 with offset, or None when the feed gave no date
    updated: str | None
    summary_html: str  # the entry's summary (HTML)
    content_html: str  # the full content (HTML), or "" when the feed has only a summary
    authors: tuple[EntryAuthor, ...] = ()
    tags: tuple[str, ...] = ()
    image_url: str | None = None
    image_alt: str = ""
    raw_date: str = ""  # the date text as written, for the title+date identity

    def norm_link(self) -> str | None:
        """The normalised link, used to spot an entry whose id changed."""
        return normalise_link(self.link)

    def to_json(self) -> str:
        """Stable JSON for the ledger database."""
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Entry":
        """The inverse of `to_json`."""
        data = json.loads(text)
        data["authors"] = tuple(EntryAuthor(**a) for a in data.get("authors", ()))
        data["tags"] = tuple(data.get("tags", ()))
        return cls(**data)


def to_post(entry: Entry, *, key: str, source: str, base_url: str, first_seen: datetime) -> Post:
    """The Post cross-posting sends (id = the entry's key): same template fields, hashtags
    from tags. A date in the future (a feed's clock or time zone slip) counts as first seen."""
    url = urljoin(base_url, entry.link) if entry.link else base_url
    published = min(_when(entry.published) or first_seen, first_seen)
    updated = max(_when(entry.updated) or published, published)
    body = entry.content_html or entry.summary_html
    summary = html_to_text(entry.summary_html) if entry.summary_html else None
    image = None
    if entry.image_url:
        image = Image(url=urljoin(url, entry.image_url), alt=entry.image_alt)
    authors = tuple(Author(key=slugify(a.name), name=a.name, url=a.url, email=a.email)
                    for a in entry.authors if a.name)
    digest = hashlib.sha256(entry.to_json().encode("utf-8")).hexdigest()
    return Post(source=f"source:{source}", id=key, slug=slugify(entry.title or key),
                title=entry.title or "", url=url, published=published, updated=updated,
                body=body, body_format="html", summary=summary or None, authors=authors,
                tags=entry.tags, image=image, canonical_url=url, digest=digest)


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else None
