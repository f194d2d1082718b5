"""URL- and file-safe slugs for titles, tags and categories in any script."""

from __future__ import annotations

import re
import unicodedata
from typing import Callable

from ..digests import sha256

_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)
_NOT_ASCII_WORD = re.compile(r"[^a-z0-9]+")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # text that slugify() gives back as it is (80 characters at most)


def slugify(text: str) -> str:
    """Lower-case words joined by '-', letters of any script kept ("Café Noir" -> "café-noir").

    Text with no letters or digits (emoji, punctuation) gets a short stable hash instead, so
    every distinct tag still has its own path.
    """
    if len(text) <= 80 and _SLUG.fullmatch(text):  # already a slug (a file name, say): nothing to change
        return text
    return _slugified(text)


def _slugified(text: str) -> str:
    """slugify() worked out in full."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    slug = _NOT_WORD.sub("-", folded).strip("-_")[:80].strip("-_")
    return slug or "x-" + sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def ascii_slug(text: str) -> str:
    """Zola's page slugs (the `slug` crate): accents dropped, lower-case ASCII letters and digits,
    every other run of characters one '-' ("Automação_1" -> "automacao-1"). Letters with no
    ASCII form, which Zola transliterates, fall back to slugify()."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    slug = _NOT_ASCII_WORD.sub("-", folded.encode("ascii", "ignore").decode().lower()).strip("-")
    has_other = any(ord(c) > 127 and c.isalnum() for c in folded)
    return slugify(text) if has_other or not slug else slug


def unique_slugs(names: list[str], *, slug_of: Callable[[str], str] = slugify) -> dict[str, str]:
    """name -> slug, where names whose slugs collide ("C#" and "C") get a hash suffix."""
    by_slug: dict[str, list[str]] = {}
    for name in sorted(set(names)):
        by_slug.setdefault(slug_of(name), []).append(name)
    out = {}
    for slug, group in by_slug.items():
        for name in group:
            if len(group) == 1:
                out[name] = slug
            else:
                digest = sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:6]
                out[name] = f"{slug}-{digest}"
    return out


# Engines whose author feeds are named after the author's name (Pelican's AUTHOR_FEED_*), not a key.
AUTHOR_FEEDS_BY_NAME = frozenset({"pelican"})


def slug_rule(engine: str) -> Callable[[str], str]:
    """How an adopted site's old engine put a tag, category or author name in its feed paths
    ([feeds.paths] {slug}): Pelican's slug for "pelican", syndicator's own otherwise."""
    if engine != "pelican":
        return slugify
    from .pelican_rules import slug

    return lambda text: slug(text) or slugify(text)  # a name with nothing ASCII keeps ours
