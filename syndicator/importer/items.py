"""What an importer hands to the writer: one post, as the old blog had it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ImportAuthor:
    """A byline; `key` is the [authors] key it gets (the WordPress login, or a slug)."""

    key: str
    name: str
    email: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ImportImage:
    """A lead image with alt text and, when the old blog had one, a credit line."""

    url: str
    alt: str = ""
    credit: str | None = None


@dataclass(frozen=True)
class ImportItem:
    """One post to write."""

    id: str  # the original guid / atom:id / JSON Feed id
    slug: str
    title: str
    date: datetime
    updated: datetime | None
    body: str  # HTML
    summary: str | None = None
    authors: tuple[ImportAuthor, ...] = ()
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    image: ImportImage | None = None
    canonical_url: str | None = None
