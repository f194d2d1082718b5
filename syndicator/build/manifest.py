"""What earlier builds published, kept apart from the build cache so a cache reset loses nothing.

- `files`: every file a build wrote below an output folder. A build only ever removes files
  listed here, so nothing the user (or another program) put in the output folder is deleted.
  A file is listed *before* it is written, so a build killed mid-write still knows it.
- `owned`: which post file owns each published entry id and address, one row per file (path, id,
  address). When a new file claims an id or address already published, the owner keeps it (see
  posts/claims.py). A build writes only the rows that changed: at 100,000 posts a build with
  nothing new reads the rows and writes none.

One SQLite file in the state directory; a damaged one is set aside and started afresh (then
nothing is removed until files are written again, which is the safe side).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from itertools import chain
from pathlib import Path
from typing import Iterable, Mapping

from .sqlite import connect, transaction

logger = logging.getLogger(__name__)
SCHEMA = 2
Row = tuple[str, str, str]  # (post path, its entry id, its address)


class Manifest:
    """Open (or create) the manifest for one output folder."""

    def __init__(self, path: Path, output: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.output = os.path.realpath(output)
        try:
            self.db = self._connect()
        except sqlite3.DatabaseError:
            logger.warning("%s is damaged; starting a new one", path)
            os.replace(path, path.with_name(path.name + ".damaged"))
            self.db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = connect(self.path, durable=True)  # written ahead of the feeds it vouches for
        if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA:
            return db  # set up already: no write (a durable commit waits for the disk on every build)
        with transaction(db):
            db.execute("CREATE TABLE IF NOT EXISTS files (output TEXT, path TEXT, PRIMARY KEY (output, path))")
            db.execute("CREATE TABLE IF NOT EXISTS owned (path TEXT PRIMARY KEY, id TEXT NOT NULL, url TEXT NOT NULL)"
                       " WITHOUT ROWID")
            if db.execute("SELECT 1 FROM sqlite_master WHERE name='owners'").fetchone():  # schema 1: (kind, key) rows
                db.execute("INSERT OR REPLACE INTO owned SELECT path, max(CASE kind WHEN 'id' THEN key ELSE '' END),"
                           " max(CASE kind WHEN 'url' THEN key ELSE '' END) FROM owners GROUP BY path")
                db.execute("DROP TABLE owners")
            db.execute(f"PRAGMA user_version={SCHEMA}")
        return db

    def files(self) -> set[str]:
        """Paths (relative to the output folder) that earlier builds wrote there."""
        rows = self.db.execute("SELECT path FROM files WHERE output=?", (self.output,))
        return {row[0] for row in rows}

    def add(self, paths: Iterable[str]) -> None:
        """Record files about to be written (committed before the first byte is)."""
        with transaction(self.db):
            self.db.executemany("INSERT OR IGNORE INTO files VALUES (?, ?)", ((self.output, p) for p in paths))

    def discard(self, paths: Iterable[str]) -> None:
        """Forget files that are gone."""
        with transaction(self.db):
            self.db.executemany("DELETE FROM files WHERE output=? AND path=?", ((self.output, p) for p in paths))

    def owners(self) -> dict[tuple[str, str], str]:
        """(kind, key) -> post path, for kind "id" and "url", as of the last finished build."""
        owners: dict[tuple[str, str], str] = {}
        for path, id_, url in self.db.execute("SELECT path, id, url FROM owned"):
            owners[("id", id_)] = path
            owners[("url", url)] = path
        return owners

    def set_owners(self, owners: Mapping[tuple[str, str], str]) -> None:
        """Replace the owners with those of the posts this build published (only what changed is written).

        `owners` is posts/claims.py's Owners (one row per file) or any (kind, key) -> path mapping.
        The build does this in a thread while it renders (build/emit.py): when none are recorded (a first
        build) the rows stream into the table; else, at 100,000 posts, it holds one dict of the rows (they
        refer to the posts' own strings), about 11 MB, while the recorded rows stream past."""
        rows = getattr(owners, "rows", None)
        every = iter(rows if rows is not None else _rows(owners))
        if self.db.execute("SELECT 1 FROM owned LIMIT 1").fetchone() is None:  # none recorded (a first build)
            first = next(every, None)
            if first is not None:  # the rows stream into the table: no dict of them all
                with transaction(self.db):
                    self.db.executemany("INSERT OR REPLACE INTO owned VALUES (?, ?, ?)", chain((first,), every))
            return
        new: dict[str, Row | None] = {row[0]: row for row in every}
        gone, seen = [], 0
        for row in self.db.execute("SELECT path, id, url FROM owned"):
            now = new.get(row[0], False)
            if now is False:
                gone.append(row[0])
            elif now == row:
                new[row[0]] = None  # recorded as it is
                seen += 1
        if not gone and seen == len(new):
            return  # as recorded: no write (and no wait for the disk)
        with transaction(self.db):
            self.db.executemany("DELETE FROM owned WHERE path=?", ((path,) for path in gone))
            self.db.executemany("INSERT OR REPLACE INTO owned VALUES (?, ?, ?)", (row for row in new.values() if row))

    def update_owners(self, paths: Iterable[str], owned: Mapping[tuple[str, str], str]) -> None:
        """Forget what these post files owned, then record `owned` ((kind, key) -> path): a few files changed."""
        paths = list(paths)
        rows = sorted(_rows(owned))
        marks = ",".join("?" * len(paths))
        if sorted(self.db.execute(f"SELECT path, id, url FROM owned WHERE path IN ({marks})", paths)) == rows \
                and {path for path, _, _ in rows} <= set(paths):
            return  # as recorded: no write (and no wait for the disk)
        with transaction(self.db):
            self.db.executemany("DELETE FROM owned WHERE path=?", ((path,) for path in paths))
            self.db.executemany("INSERT OR REPLACE INTO owned VALUES (?, ?, ?)", rows)

    def close(self) -> None:
        """Close the database."""
        self.db.close()


def _rows(owners: Mapping[tuple[str, str], str]) -> list[Row]:
    """(kind, key) -> path as one (path, id, address) row per path (a missing kind is '', which no claim has)."""
    by_path: dict[str, list[str]] = {}
    for (kind, key), path in owners.items():
        by_path.setdefault(path, ["", ""])[0 if kind == "id" else 1] = key
    return [(path, id_, url) for path, (id_, url) in by_path.items()]
