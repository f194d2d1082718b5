"""URL- and file-safe slugs for titles, tags and categories in any script."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Callable

_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)


def slugify(text: str) -> str:
    """Lower-case words joined by '-', letters of any script kept ("Café Noir" -> "café-noir").

    Text with no letters or digits (emoji, punctuation) gets a short stable hash instead, so
    every distinct tag still has its own path.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    slug = _NOT_WORD.sub("-", folded).strip("-_")[:80].strip("-_")
    return slug or "x-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]


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
                digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:6]
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
