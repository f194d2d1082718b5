"""The HTML page at `/` of the feed server: what a person sees before subscribing.

It lists the feeds actually present in the output directory (site-wide, per author, category
and tag) with subscribe links and autodiscovery `<link rel="alternate">` tags, and the latest
posts from feed.json with author, avatar, bio, photo credit and influences. feed.json's exact
shape is read defensively: every field is optional, `_attribution` may carry the extras under
several names, and anything missing falls back to the configured authors. Everything that
comes from a file is HTML-escaped; only http(s) URLs become links or images.

When the site writes no JSON Feed, the posts come from atom.xml or rss.xml through feedparser.

Modules: feeds (the feed sets present in the output), entries (the latest posts as shown),
render (the HTML, pure). IndexPage caches the rendered page for the server.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from ...config import Config
from .entries import Entry, read_entries
from .feeds import FORMATS, FeedSet, discover
from .render import render

__all__ = ["FORMATS", "Entry", "FeedSet", "IndexPage", "discover", "read_entries", "render"]


class IndexPage:
    """The rendered page, cached until the feed it is built from changes."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._key: Any = object()
        self._entity: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        """The page as a server.Entity, re-rendered only when feed.json (or atom/rss) changes."""
        from ..files import Entity

        source = _source_file(self.config.feeds.output)
        try:
            st = source.stat() if source else None
            key = (str(source), st.st_mtime_ns, st.st_size) if st else None
        except OSError:
            st, key = None, None
        with self._lock:
            if key != self._key or self._entity is None:
                page = render(self.config, feeds=discover(self.config), entries=read_entries(self.config))
                # ETag only: the page also depends on the config and the feed list, which a
                # Last-Modified taken from one file would not reflect.
                self._entity = Entity(page.encode("utf-8"), None)
                self._key = key
            return self._entity


def _source_file(output: Path) -> Path | None:
    for name in ("feed.json", "atom.xml", "rss.xml"):
        if (output / name).is_file():
            return output / name
    return None
