"""The build's two SQLite stores (cache, manifest): how they connect and how several writes land as one.

With `isolation_level=None` Python's sqlite3 is in autocommit mode, and `with connection:` opens
no transaction: each statement of an `executemany` was its own commit, so a cold build of 10,000
posts paid 20,000 commits (77 s on a busy disk) and a crash could leave half of a save.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def connect(path: Path, *, durable: bool) -> sqlite3.Connection:
    """A connection in autocommit mode with WAL; `durable=False` lets commits skip waiting for the disk."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
    return db


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when the block raises: the writes land together or not at all."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def checkpoint(db: sqlite3.Connection) -> None:
    """Copy the write-ahead log into the database now, without waiting for anyone (PASSIVE): done
    in a thread while the build goes on, it spares the last connection's close (at the end of the
    build) from doing it."""
    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def checkpoint_file(path: Path) -> None:
    """`checkpoint` through a connection of its own (a connection stays in the thread that made it)."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        checkpoint(db)
    finally:
        db.close()
