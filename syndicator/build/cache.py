"""The build cache: parsed posts, rendered bodies and feed input hashes, in one SQLite file.

Keyed by (path, size, mtime_ns) for posts and by content digest for bodies. The whole cache is
dropped when the config file, the program version or the program's source files change. It only ever speeds things up:
deleting `<state_dir>/cache.sqlite` is always safe.

Stubs of all parsed posts are stored as a pickled snapshot in a few rows of a generation
(loading 10,000 rows one by one costs more than the rebuild budget); full posts one row each, fetched only for posts that reach
a feed. The file is ours, in our state directory, never read from elsewhere. Pickles refer to
the config's authors by key (see `dumps`), so a bio is stored once, not once per post.
"""

from __future__ import annotations

import copyreg
import gc
import io
import logging
import os
import pickle
import sqlite3
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

from .. import __version__
from ..model import Author, Body
from . import flatcodec
from .code import code_digest
from .sqlite import connect, transaction

logger = logging.getLogger(__name__)
SCHEMA = 7
_PICKLED = b"\x80"  # a pickle (protocol 2 and later) starts with PROTO
_COMPACT_AFTER = 256


def _author(key: str) -> Author:
    """What a pickled author reference names; loads() resolves it from the config instead."""
    raise LookupError(f"author {key!r}: unpickle with loads(data, authors)")


class _Unpickler(pickle.Unpickler):
    """The C unpickler, with author references resolved from the config's authors."""

    def __init__(self, data: bytes, authors: Mapping[str, Author]) -> None:
        super().__init__(io.BytesIO(data))
        self.authors = authors

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_author":  # once per pickle: the result is memoized
            return self.authors.__getitem__
        return super().find_class(module, name)


def dumps(obj: Any, authors: Mapping[str, Author]) -> bytes:
    """A Post, a FileEntry or a list of (path, FileEntry) in the compact form (flatcodec.py); anything
    else pickled. Either way the config's own Author objects are written as references by key.
    """
    compact = flatcodec.encode(obj, authors)
    return compact if compact is not None else _pickle(obj, authors)


def _pickle(obj: Any, authors: Mapping[str, Author]) -> bytes:
    """Pickle; a dispatch table (consulted only for Author objects) keeps the rest at C speed."""
    def reduce_author(author: Author) -> Any:
        if authors.get(author.key) is author:
            return _author, (author.key,)
        return author.__reduce_ex__(pickle.HIGHEST_PROTOCOL)

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, Author: reduce_author}
    pickler.dump(obj)
    return buffer.getvalue()


def loads(data: bytes, authors: Mapping[str, Author]) -> Any:
    """What dumps() wrote, with the config's Author objects put back."""
    if data[:1] != _PICKLED:
        return flatcodec.decode(data, authors)
    enabled = gc.isenabled()
    gc.disable()  # the cyclic GC would scan the many new objects repeatedly; they hold no cycles
    try:
        return _Unpickler(data, authors).load()
    finally:
        if enabled:
            gc.enable()


def writes_snapshot(parsed: int) -> bool:
    """Whether Cache.save of this many files parsed writes a new snapshot (the batches, whole entries as
    the scan's tasks pickled them) rather than a side row per file made from the scan's entries."""
    return parsed > _COMPACT_AFTER


def _put_posts(db: sqlite3.Connection, rows: Iterable[tuple[str, bytes | None]]) -> None:
    """Store parsed posts by path (dumps() bytes); None drops a file's row (it is not a post now)."""
    rows = list(rows)
    db.executemany("INSERT OR REPLACE INTO posts VALUES (?, ?)", ((r, p) for r, p in rows if p is not None))
    db.executemany("DELETE FROM posts WHERE path=?", ((r,) for r, p in rows if p is None))


class PostWriter:
    """A worker process's own connection to the cache, to store the posts it parses.

    Made in the scanning process and inherited by each forked worker, which opens the database
    on first use (a connection must never cross a fork). SQLite takes one writer at a time, and a
    worker that wants the lock while the other holds it sleeps: batches of entries alone (no posts)
    are held until they make BATCH_BYTES and then stored together, in one transaction of a few
    rather than one per task. The answer to each task says which of its worker's tasks are stored
    now; the scanning process stores the rest itself (it has every batch: a worker that dies, or
    one whose last batches were still held, loses none).
    """

    BATCH_BYTES = 1 << 19  # entries' batches held before they are stored together

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db: sqlite3.Connection | None = None
        self.held: list[tuple[str, bytes]] = []  # (key, entries' batch) not stored yet
        self.held_bytes = 0

    def put(self, rows: list[tuple[str, bytes | None]], entries: bytes, generation: int, *, key: str) -> list[str]:
        """Store these parsed posts (None: the file is not a post) at once, and their entries' batch (`key`:
        its task's first path), as a snapshot row of `generation` (it counts once Cache.save names it), with
        the batches held before it, once they make BATCH_BYTES (at once, with posts). The keys of the batches
        stored now."""
        self.held.append((key, entries))
        self.held_bytes += len(entries)
        if not rows and self.held_bytes < self.BATCH_BYTES:
            return []
        with transaction(self._connected()):
            _put_posts(self.db, rows)
            self.db.executemany("INSERT INTO snapshot (gen, data) VALUES (?, ?)",
                                ((generation, data) for _key, data in self.held))
        stored = [held_key for held_key, _data in self.held]
        self.held, self.held_bytes = [], 0
        return stored

    def put_posts(self, rows: list[tuple[str, bytes | None]]) -> None:
        """Store these parsed posts only (the batches held stay for the scanning process to store)."""
        if rows:
            with transaction(self._connected()):
                _put_posts(self.db, rows)

    def _connected(self) -> sqlite3.Connection:
        if self.db is None:
            self.db = connect(self.path, durable=False)
            self.db.execute("PRAGMA busy_timeout=60000")
        return self.db


class Cache:
    """Open (or create, or reset) the cache for one config fingerprint."""

    def __init__(self, path: Path, fingerprint: str, authors: Mapping[str, Author]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.fingerprint, self.authors = path, fingerprint, authors
        self.db = connect(path, durable=False)  # a lost commit only costs a re-parse
        stamp = f"{SCHEMA}:{__version__}:{code_digest()}:{fingerprint}"
        if self.db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA or self._stamp() != stamp:
            self._reset(stamp)

    def _stamp(self) -> str | None:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key='stamp'").fetchone()
        except sqlite3.DatabaseError:
            return None
        return row[0] if row else None

    def _reset(self, stamp: str) -> None:
        logger.debug("build cache reset (config or program version changed)")
        with transaction(self.db):
            for table in ("meta", "snapshot", "changes", "posts", "bodies", "feeds"):
                self.db.execute(f"DROP TABLE IF EXISTS {table}")
            self.db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
            # the entries of all files: rows of pickled (path, entry) lists; only the rows of the
            # generation named in meta ('snapshot') count (a scan's workers add theirs as they go)
            self.db.execute("CREATE TABLE snapshot (id INTEGER PRIMARY KEY, gen INTEGER, data BLOB)")
            self.db.execute("CREATE TABLE changes (path TEXT PRIMARY KEY, data BLOB)")  # NULL: deleted
            self.db.execute("CREATE TABLE posts (path TEXT PRIMARY KEY, data BLOB)")
            self.db.execute("CREATE TABLE bodies (digest TEXT PRIMARY KEY, html TEXT, summary TEXT)")
            # signature: "size:mtime_ns:inode" of the file as written, so a file replaced since (by a
            # build whose record was lost, or by hand) is never taken for the one recorded.
            self.db.execute("CREATE TABLE feeds (path TEXT PRIMARY KEY, inputs TEXT, signature TEXT)")
            self.db.execute("INSERT INTO meta VALUES ('stamp', ?)", (stamp,))
            self.db.execute(f"PRAGMA user_version={SCHEMA}")

    def entries(self) -> dict[str, Any]:
        """path -> FileEntry (size, mtime_ns, stub, problems) from the last build: the snapshot plus changes."""
        entries: dict[str, Any] = {}
        try:
            for (data,) in self.db.execute("SELECT data FROM snapshot WHERE gen=? ORDER BY id", (self._generation(),)):
                entries.update(loads(data, self.authors))
            for rel, data in self.db.execute("SELECT path, data FROM changes"):
                if data is None:
                    entries.pop(rel, None)
                else:
                    entries[rel] = loads(data, self.authors)
        except Exception:  # a damaged cache is rebuilt, never fatal
            logger.warning("build cache unreadable; rebuilding it")
            return {}
        return entries

    def _generation(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key='snapshot'").fetchone()
        return int(row[0]) if row else 0

    def save(self, entries: Mapping[str, Any], parsed: list[str], posts: dict[str, bytes | None], gone: list[str], *,
             blobs: list[bytes] | None = None, staged: int | None = None) -> None:
        """Record the files parsed now and the deleted ones.

        `entries` is every file's FileEntry now; `parsed`, the files parsed now; `posts`, those
        of them whose posts are not in the posts table yet (dumps() bytes; None: not a post).
        When every file was parsed now, the snapshot is the batches of (path, entry) pairs as
        the tasks pickled them: `staged`, the generation whose rows the workers stored
        (PostWriter.put), with `blobs`, the batches parsed here (none unless a worker died); or else
        `blobs`, every batch here. Small changes go to a side table,
        so editing one post does not rewrite the snapshot of all of them; past _COMPACT_AFTER
        side rows the snapshot is written anew.
        """
        pending = self.db.execute("SELECT count(*) FROM changes").fetchone()[0]
        live = self._generation()
        with transaction(self.db):
            if pending + len(parsed) + len(gone) > _COMPACT_AFTER:
                live = staged if staged is not None else max(live, time.time_ns()) + 1
                if staged is None:
                    rows = blobs if blobs is not None else [dumps(list(entries.items()), self.authors)]
                else:  # beside the workers' rows, the batches parsed here (the files a worker that died left)
                    rows = blobs or []
                self.db.executemany("INSERT INTO snapshot (gen, data) VALUES (?, ?)", ((live, b) for b in rows))
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('snapshot', ?)", (str(live),))
                self.db.execute("DELETE FROM changes")
            else:
                self.db.executemany("INSERT OR REPLACE INTO changes VALUES (?, ?)",
                                    [(rel, dumps(entries[rel], self.authors)) for rel in parsed] +
                                    [(rel, None) for rel in gone])
            self.db.execute("DELETE FROM snapshot WHERE gen != ?", (live,))  # older ones, and a killed scan's
            _put_posts(self.db, posts.items())
            self.db.executemany("DELETE FROM posts WHERE path=?", ((rel,) for rel in gone))

    def save_changes(self, changed: dict[str, tuple[bytes, bytes | None]], gone: list[str]) -> None:
        """Record a few new and changed files and deleted ones in the side table only (an incremental
        build, which holds no snapshot of every entry: the next full scan compacts)."""
        with transaction(self.db):
            self.db.executemany("INSERT OR REPLACE INTO changes VALUES (?, ?)",
                                [(rel, entry) for rel, (entry, _post) in changed.items()] + [(rel, None) for rel in gone])
            self.db.executemany("INSERT OR REPLACE INTO posts VALUES (?, ?)",
                                ((rel, post) for rel, (_entry, post) in changed.items() if post is not None))
            self.db.executemany("DELETE FROM posts WHERE path=?",
                                [(rel,) for rel in gone] + [(rel,) for rel, (_e, post) in changed.items() if post is None])

    def posts(self, paths: list[str]) -> dict[str, Any]:
        """Full parsed posts (without bodies) by path."""
        found: dict[str, Any] = {}
        for start in range(0, len(paths), 500):
            chunk = paths[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for rel, data in self.db.execute(f"SELECT path, data FROM posts WHERE path IN ({marks})", chunk):
                try:
                    found[rel] = loads(data, self.authors)
                except Exception:
                    continue  # the caller parses the file again
        return found

    def bodies(self, digests: Iterable[str]) -> dict[str, Body]:
        """Rendered bodies known for these digests."""
        wanted = list(digests)
        found: dict[str, Body] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for digest, html, summary in self.db.execute(
                    f"SELECT digest, html, summary FROM bodies WHERE digest IN ({marks})", chunk):
                found[digest] = Body(html=html, summary=summary)
        return found

    def put_bodies(self, bodies: dict[str, Body]) -> None:
        """Remember rendered bodies by digest."""
        with transaction(self.db):
            self.db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?, ?)",
                                ((d, b.html, b.summary) for d, b in bodies.items()))

    def feed_inputs(self) -> dict[str, tuple[str, str]]:
        """Feed file -> (hash of what it was rendered from, its signature when written)."""
        return {p: (i, sig) for p, i, sig in self.db.execute("SELECT path, inputs, signature FROM feeds")}

    def forget_feeds(self, paths: Iterable[str]) -> None:
        """Drop the records of files about to be rewritten, committed before the first write.

        A build killed between writing a file and recording it then leaves no record that could
        vouch for the file's old inputs: the next build renders it again.
        """
        with transaction(self.db):
            self.db.executemany("DELETE FROM feeds WHERE path=?", ((p,) for p in paths))

    def put_feed_inputs(self, feeds: dict[str, tuple[str, str]], removed: Iterable[str] = ()) -> None:
        """Record what each written feed was rendered from, and its signature on disk."""
        with transaction(self.db):
            self.db.executemany("INSERT OR REPLACE INTO feeds VALUES (?, ?, ?)",
                                ((p, i, sig) for p, (i, sig) in feeds.items()))
            self.db.executemany("DELETE FROM feeds WHERE path=?", ((p,) for p in removed))

    def last_scan(self) -> int:
        """When the last scan started (ns since the epoch; 0 if never): files changed since may look unchanged."""
        row = self.db.execute("SELECT value FROM meta WHERE key='scanned'").fetchone()
        return int(row[0]) if row else 0

    def mark_scan(self, started_ns: int) -> None:
        """Record when this scan started (after its entries were saved)."""
        with transaction(self.db):
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('scanned', ?)", (str(started_ns),))

    def last_build(self) -> bytes | None:
        """The record the last finished build left (see build/unchanged.py), if any.

        Its bytes are a file beside the cache (a large row is slow to write and to checkpoint),
        valid only while the cache holds the same token: a build forgets the token when it starts.
        """
        token = self.last_build_token()
        if token is None:
            return None
        try:
            with open(self._record_path(), "rb") as handle:  # the line, then the rest: no second copy of it
                if handle.readline(len(token) + 2) != token.encode("ascii", "replace") + b"\n":
                    return None
                return handle.read()
        except OSError:
            return None

    def last_build_token(self) -> str | None:
        """The token of the record the last finished build left: a process that holds that record decoded
        (the daemon) knows it is still the one here without reading it."""
        row = self.db.execute("SELECT value FROM meta WHERE key='last_build_token'").fetchone()
        return row[0] if row else None

    def put_last_build(self, data: bytes | list[bytes] | None, token: str = "") -> None:
        """Leave the record of a build that finished with every file written, then its token.

        Not synced to disk: a record lost in a crash (or torn: its token no longer matches) only
        costs a full build. `data` may come in parts (Record.parts()), written one after another.
        `data=None`: the token only (a process that keeps the record in memory, the daemon; the file
        left here no longer matches, so other processes build in full).
        """
        if data is not None:
            path = self._record_path()
            temp = path.with_name(f".{path.name}.tmp")  # one build at a time (build/lock.py)
            with open(temp, "wb") as handle:  # part by part: at 100,000 posts a joined copy would be 25 MB more
                handle.writelines([token.encode("ascii", "replace") + b"\n",
                                   *([data] if isinstance(data, bytes) else data)])
            os.replace(temp, path)
        with transaction(self.db):
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('last_build_token', ?)", (token,))

    def forget_last_build(self) -> None:
        """A build is starting: until it finishes, no record vouches for the output folder."""
        with transaction(self.db):
            self.db.execute("DELETE FROM meta WHERE key='last_build_token'")

    def _record_path(self) -> Path:
        return self.path.with_name("last-build.pickle")

    def close(self) -> None:
        """Close the database."""
        self.db.close()
