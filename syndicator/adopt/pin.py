"""The old engine's published feed -> the id of each post in it, matched by link.

Read with feedparser, as a feed reader reads it. A URL is fetched with a timeout and a size
limit; a file is read as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import feedparser
import requests

from ..errors import UsageError
from ..posts.ids import link_key

MAX_FEED_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Pinned:
    """Ids found in the old feed: pinned (link -> id), same as the rule gives, and unmatched links."""

    pairs: dict[str, str]  # post URL -> id the old feed published
    entries: int  # entries in the old feed
    same: int  # pinned ids the engine's rule gives anyway
    unmatched: tuple[str, ...]  # feed links that are no post's address


def read_feed(source: str, *, timeout: float = 20.0) -> bytes:
    """The bytes of a feed file or URL; a UsageError says why it cannot be read."""
    if source.startswith(("http://", "https://")):
        try:
            with requests.get(source, timeout=timeout, stream=True) as response:
                response.raise_for_status()
                data = response.raw.read(MAX_FEED_BYTES + 1, decode_content=True)
        except requests.RequestException as exc:
            raise UsageError(f"--feed {source}: cannot fetch it ({type(exc).__name__}: {exc})") from None
    else:
        try:
            with open(source, "rb") as handle:
                data = handle.read(MAX_FEED_BYTES + 1)
        except OSError as exc:
            raise UsageError(f"--feed {source}: cannot read it ({exc.strerror})") from None
    if len(data) > MAX_FEED_BYTES:
        raise UsageError(f"--feed {source}: larger than {MAX_FEED_BYTES // 1024 // 1024} MB")
    return data


def match(feed: bytes, source: str, posts: Iterable[tuple[str, str]]) -> Pinned:
    """Pin the id of every feed entry whose link is a post's URL. `posts`: (url, id by rule)."""
    parsed = feedparser.parse(feed)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise UsageError(f"--feed {source}: not an RSS, Atom or JSON feed feedparser can read "
                         f"({getattr(parsed, 'bozo_exception', 'no entries')})")
    by_link = {link_key(url): (url, rule_id) for url, rule_id in posts}
    pairs: dict[str, str] = {}
    same = 0
    unmatched = []
    for entry in parsed.entries:
        link = entry.get("link")
        found = by_link.get(link_key(link)) if link else None
        if found is None:
            unmatched.append(link or entry.get("id") or "(an entry without a link)")
            continue
        old_id = entry.get("id") or link  # without a guid, readers key an item by its link
        pairs[found[0]] = old_id
        same += old_id == found[1]
    return Pinned(pairs=pairs, entries=len(parsed.entries), same=same, unmatched=tuple(unmatched))


def source_name(source: str) -> str:
    """How the feed is named in the ids file's header."""
    return source if "://" in source else str(Path(source))
