"""A feed file or URL (RSS, Atom, JSON Feed) -> ImportItems, through sources.parse.

A feed holds only its latest entries (often 10); a WordPress export holds them all."""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from pathlib import Path

from ..errors import SourceError
from ..posts.slugs import slugify
from ..sources.entry import Entry
from ..sources.fetch import fetch, new_session
from ..sources.identity import assign_keys
from ..sources.parse import MAX_BYTES, parse_feed
from .items import ImportAuthor, ImportImage, ImportItem

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def read_feed_bytes(data: bytes, *, where: str, now: datetime) -> list[ImportItem]:
    """The entries of a feed document as ImportItems (SourceError when it is not a feed)."""
    feed = parse_feed(data, where=where)
    keys = assign_keys([(e.entry_id, e.link, e.title, e.raw_date or e.published or "")
                        for e in feed.entries], source="import", home=feed.link)
    return [_item(key, entry, now=now) for key, entry in zip(keys, feed.entries)]


def load_source(source: str, *, now: datetime, timeout: float = 30.0) -> bytes:
    """The bytes of a feed file, or of a feed URL fetched once (size-capped)."""
    if source.startswith(("http://", "https://")):
        with new_session() as session:
            return fetch(session, source, etag=None, last_modified=None, timeout=timeout,
                         max_bytes=MAX_BYTES, now=now).body
    path = Path(source)
    if path.stat().st_size > MAX_BYTES:
        raise SourceError(f"{source}: larger than the {MAX_BYTES // 1048576} MiB a feed may be")
    return path.read_bytes()


def _item(key: str, e: Entry, *, now: datetime) -> ImportItem:
    date = _when(e.published) or _when(e.updated) or now
    updated = _when(e.updated)
    summary = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", e.summary_html))).strip()
    return ImportItem(
        id=key, slug=slugify(e.title or key), title=e.title or "(untitled)", date=date,
        updated=updated if updated and updated > date else None,
        body=e.content_html or e.summary_html, summary=summary or None,
        authors=tuple(ImportAuthor(slugify(a.name), a.name, None, a.url) for a in e.authors),
        tags=e.tags, image=ImportImage(e.image_url, e.image_alt) if e.image_url else None,
        canonical_url=e.link)


def _when(text: str | None) -> datetime | None:
    try:
        value = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    return value if value and value.tzinfo else None
