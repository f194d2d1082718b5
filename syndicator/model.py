"""The data every stage shares: frozen dataclasses, no I/O.

Flow: config.load -> Site/Author; posts.loader.parse_file -> Post (build/scan.py runs it);
posts.content.render_body(Post) -> Body (build/bodies.py decides when); render.* -> bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Author:
    """A person who writes posts; `key` is the config table name ([authors.KEY])."""

    key: str
    name: str
    url: str | None = None
    email: str | None = None  # public e-mail only; RSS <author> needs one
    avatar: str | None = None  # absolute URL
    bio: str | None = None  # short Markdown, as written
    bio_html: str | None = None  # rendered, absolute URLs
    bio_text: str | None = None  # plain text, for feeds that carry text only


def credit_line(name: str, source: str | None) -> str:
    """The one wording of a photo credit: "Photo by {name} on {source}", or without " on …".

    Plain-text callers pass text; HTML callers pass the name and source already escaped and linked.
    """
    return f"Photo by {name} on {source}" if source else f"Photo by {name}"


@dataclass(frozen=True)
class Credit:
    """Who made an image and where it came from: "Photo by {name} on {source}"."""

    name: str
    url: str | None = None
    source: str | None = None
    source_url: str | None = None

    def text(self) -> str:
        """The human credit line, e.g. "Photo by Ana Silva on Unsplash"."""
        return credit_line(self.name, self.source)


@dataclass(frozen=True)
class Image:
    """A post's lead image with alt text, credit and license."""

    url: str  # absolute
    alt: str = ""
    credit: Credit | None = None
    license: str | None = None  # URL
    type: str | None = None  # MIME type guessed from the URL


@dataclass(frozen=True)
class Link:
    """An influence, a source or a via: a name with an optional URL and note."""

    name: str
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Syndication:
    """Front matter `syndicate`: skip everywhere, skip some endpoints, or own text per endpoint."""

    enabled: bool = True
    skip: tuple[str, ...] = ()
    text: tuple[tuple[str, str], ...] = ()  # (endpoint name, text) pairs

    def text_for(self, endpoint: str) -> str | None:
        """The post's own text for one endpoint, if it gave one."""
        return dict(self.text).get(endpoint)

    def allows(self, endpoint: str) -> bool:
        """Whether this post may go to the named endpoint."""
        return self.enabled and endpoint not in self.skip


@dataclass(frozen=True)
class Post:
    """One post as read from its file. The body is rendered later, only if a feed needs it."""

    source: str  # path relative to the posts directory, with '/' separators
    id: str  # stable entry id (tag: URI unless front matter gave one)
    slug: str
    title: str
    url: str  # permalink (absolute)
    published: datetime  # timezone-aware
    updated: datetime  # timezone-aware, >= published unless front matter says otherwise
    body: str  # Markdown or HTML source, front matter removed
    body_format: str  # "markdown", "mdx" or "html"
    summary: str | None = None  # explicit `summary:`; else derived from the body
    authors: tuple[Author, ...] = ()
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    image: Image | None = None
    influences: tuple[Link, ...] = ()
    sources: tuple[Link, ...] = ()
    via: Link | None = None
    license: str | None = None  # URL; None means the site's license
    lang: str | None = None
    draft: bool = False
    canonical_url: str | None = None
    syndicate: Syndication = field(default_factory=Syndication)
    digest: str = ""  # hash of the file's bytes and the config; changes when the post does
    expires: datetime | None = None  # Hugo's expiryDate: the post leaves the feeds then

    def is_published(self, now: datetime) -> bool:
        """Not a draft, its publish time has come, and it has not expired."""
        return not self.draft and self.published <= now and (self.expires is None or now < self.expires)


@dataclass(frozen=True)
class Body:
    """A post's rendered body: full HTML with absolute URLs, and the plain-text summary."""

    html: str
    summary: str
