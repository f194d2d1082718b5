"""What is sent for a file: its bytes, strong ETags and gzip form, cached by (path, mtime, size)."""

from __future__ import annotations

import gzip
import hashlib
import os
import stat
import threading
from collections import OrderedDict

_CACHE_ENTRIES = 512
_CACHE_MAX_BODY = 8 * 1024 * 1024


class Entity:
    """One representation to send: bytes, strong ETags (plain and gzip) and a modification time."""

    __slots__ = ("body", "etag", "etag_gz", "mtime", "_gz")

    def __init__(self, body: bytes, mtime: float | None) -> None:
        digest = hashlib.sha256(body).hexdigest()[:32]
        self.body = body
        self.etag = f'"{digest}"'
        self.etag_gz = f'"{digest}-gz"'  # a different representation needs its own strong tag
        self.mtime = None if mtime is None else int(mtime)  # HTTP dates have whole seconds
        self._gz: bytes | None = None

    def gzipped(self) -> bytes:
        """The gzip-encoded body, computed once (mtime=0 keeps the bytes deterministic)."""
        if self._gz is None:
            self._gz = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gz


class FileCache:
    """Reads files and remembers their ETags by (path, mtime_ns, size): no re-hashing per request."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[tuple[int, int], Entity]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: str) -> Entity | None:
        """The entity for a regular file, or None when it is missing or not a regular file."""
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return None
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                return None
            key = (st.st_mtime_ns, st.st_size)  # from the open file: consistent with its bytes
            with self._lock:
                hit = self._entries.get(path)
                if hit and hit[0] == key:
                    self._entries.move_to_end(path)
                    return hit[1]
            entity = Entity(fh.read(), st.st_mtime)
        if st.st_size <= _CACHE_MAX_BODY:
            self._remember(path, key, entity)
        return entity

    def _remember(self, path: str, key: tuple[int, int], entity: Entity) -> None:
        with self._lock:
            self._entries[path] = (key, entity)
            self._entries.move_to_end(path)
            while len(self._entries) > _CACHE_ENTRIES:
                self._entries.popitem(last=False)
