"""What earlier builds published, kept apart from the build cache so a cache reset loses nothing.

- `files`: every file a build wrote below an output folder. A build only ever removes files
  listed here, so nothing the user (or another program) put in the output folder is deleted.
  A file is listed *before* it is written, so a build killed mid-write still knows it.
- `owners`: which post file owns each published entry id and address. When a new file claims
  an id or address already published, the owner keeps it (see collisions.py).

One SQLite file in the state directory; a damaged one is set aside and started afresh (then
nothing is removed until files are written again, which is the safe side).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from typing import Iterable, Mapping

from .sqlite import connect, transaction

logger = logging.getLogger(__name__)
SCHEMA = 1


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
            db.execute("CREATE TABLE IF NOT EXISTS owners (kind TEXT, key TEXT, path TEXT, PRIMARY KEY (kind, key))")
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
        return {(kind, key): path for kind, key, path in self.db.execute("SELECT kind, key, path FROM owners")}

    def set_owners(self, owners: Mapping[tuple[str, str], str]) -> None:
        """Replace the owners with those of the posts this build published (only what changed is written)."""
        old = self.owners()
        if old == dict(owners):
            return
        with transaction(self.db):
            self.db.executemany("DELETE FROM owners WHERE kind=? AND key=?",
                                (k for k in old if k not in owners))
            self.db.executemany("INSERT OR REPLACE INTO owners VALUES (?, ?, ?)",
                                ((kind, key, path) for (kind, key), path in owners.items()
                                 if old.get((kind, key)) != path))

    def update_owners(self, paths: Iterable[str], owned: Mapping[tuple[str, str], str]) -> None:
        """Forget what these post files owned, then record `owned` ((kind, key) -> path): a few files changed."""
        paths = list(paths)
        marks = ",".join("?" * len(paths))
        rows = self.db.execute(f"SELECT kind, key, path FROM owners WHERE path IN ({marks})", paths)
        if {(kind, key): path for kind, key, path in rows} == dict(owned):
            return  # as recorded: no write (and no wait for the disk)
        with transaction(self.db):
            self.db.executemany("DELETE FROM owners WHERE path=?", ((path,) for path in paths))
            self.db.executemany("INSERT OR REPLACE INTO owners VALUES (?, ?, ?)",
                                ((kind, key, path) for (kind, key), path in owned.items()))

    def close(self) -> None:
        """Close the database."""
        self.db.close()
