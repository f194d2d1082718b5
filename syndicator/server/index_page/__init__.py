"""The HTML page at `/`: the index.html the last build wrote beside the feeds (render/page.py).

May import: render, config. Never the build, cross-posting, endpoints, daemon or CLI.

One design for `syndicator serve` and the daemon alike: the build renders the page from the
data it already has (the feeds it planned, the site feed's posts and bodies) and writes it
atomically with the feeds, so the server only serves a file, re-read when it changes. Before
any build there is a placeholder page saying so.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from ...config import Config
from ...render import index_page


class IndexPage:
    """The page as a server Entity, re-read only when the build rewrites index.html."""

    def __init__(self, config: Config, *, current: Callable[[], Config] | None = None) -> None:
        self.config = config
        self._current = current or (lambda: config)  # the config after reloads ([feeds.paths] page)
        self._key: Any = object()
        self._entity: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        """The page (a server.files.Entity, ETag only), or a placeholder before the first build."""
        from ..files import Entity

        path = self.config.feeds.output / self._current().feeds.paths.site("page")
        try:
            st = path.stat()
            key: Any = (path, st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            key = None
        with self._lock:
            if key != self._key or self._entity is None:
                # ETag only: the page also depends on the config, which a Last-Modified taken
                # from the file would not reflect.
                self._entity = Entity(self._read(path) if key else self._placeholder(), None)
                self._key = key
            return self._entity

    def _read(self, path: Any) -> bytes:
        try:
            return path.read_bytes()
        except OSError:  # removed between stat and read: the next request looks again
            return self._placeholder()

    def _placeholder(self) -> bytes:
        return index_page(self.config.site, self.config.feeds, [], [], owner=None)


__all__ = ["IndexPage"]
