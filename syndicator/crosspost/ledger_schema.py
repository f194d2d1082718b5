"""The ledger's database file: its schema (a closed set of states, triggers that keep `sent`
and `skipped` final and `attempts` monotonic), creating it, checking its version, and opening
the SQLite connection. The queries live in ledger.py, which re-exports STATES and SCHEMA_VERSION.

Schema version in PRAGMA user_version: 0 is an empty file (created here, in one IMMEDIATE
transaction, so two processes never both create it); an older version is migrated forward by
the steps in _MIGRATIONS (each in its own IMMEDIATE transaction); a newer one is refused.
WAL journal and synchronous = FULL: a commit before sending must survive power loss.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Iterator

from ..errors import LedgerError

SCHEMA_VERSION = 2
STATES = ("pending", "sending", "sent", "failed", "skipped", "unknown")

_SCHEMA = f"""
CREATE TABLE deliveries (
    post_id TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ({", ".join(repr(s) for s in STATES)})),
    reason TEXT,                    -- why skipped / failed, in words
    published TEXT NOT NULL,        -- the post's date: deliveries go oldest first
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    budget_base INTEGER NOT NULL DEFAULT 0,  -- attempts before the current retry budget
    window_start TEXT,              -- first attempt of the current budget (48 h limit)
    next_attempt_at TEXT,           -- NULL: nothing scheduled
    key TEXT,                       -- idempotency key / record key / delivery id
    remote_id TEXT,
    remote_url TEXT,
    last_error TEXT,                -- redacted
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT,
    UNIQUE (post_id, endpoint)
);
CREATE INDEX deliveries_due ON deliveries (endpoint, state, next_attempt_at);
CREATE TABLE endpoints (
    name TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    paused_reason TEXT,
    paused_at TEXT
);
CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TRIGGER final_states BEFORE UPDATE OF state ON deliveries
WHEN OLD.state IN ('sent', 'skipped') AND NEW.state <> OLD.state
BEGIN SELECT RAISE(ABORT, 'ledger: sent and skipped deliveries are final'); END;
CREATE TRIGGER attempts_monotonic BEFORE UPDATE OF attempts ON deliveries
WHEN NEW.attempts < OLD.attempts
BEGIN SELECT RAISE(ABORT, 'ledger: attempts never decrease'); END;
"""


# Version 1 -> 2: feed sources (syndicator/sources/): each source's polling state, and every
# entry seen (its identity, normalised link, state and the entry itself as JSON).
_SOURCES = """
CREATE TABLE sources (
    name TEXT PRIMARY KEY,
    config_url TEXT NOT NULL,       -- the url in config.toml when this row was last reset
    url TEXT NOT NULL,              -- where to fetch: follows 301/308, never 302/307
    etag TEXT,
    last_modified TEXT,
    last_fetch TEXT,                -- the last attempt
    last_ok TEXT,                   -- the last poll that worked (200 or 304)
    last_status TEXT,               -- 'ok', 'not modified', 'failed', 'gone'
    last_error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    next_poll TEXT,                 -- never polled before this (interval, backoff)
    not_before TEXT,                -- the server's own Retry-After, honoured even by a manual poll
    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    disabled_reason TEXT,
    baseline_at TEXT,               -- the first good poll: what was there then is skipped
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE source_entries (
    source TEXT NOT NULL,
    entry_key TEXT NOT NULL,        -- identity: id, else link, else title+date hash; = post_id
    link_norm TEXT,
    state TEXT NOT NULL CHECK (state IN ('baseline', 'queued', 'held', 'duplicate')),
    entry TEXT NOT NULL,            -- the entry as JSON, as first seen
    published TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (source, entry_key)
);
CREATE INDEX source_entries_link ON source_entries (source, link_norm);
CREATE INDEX source_entries_state ON source_entries (source, state);
"""
_MIGRATIONS = {1: _SOURCES}  # from version N to N + 1


def connect(path: Path, *, readonly: bool) -> sqlite3.Connection | None:
    """A connection to the ledger at `path`, created (mode 0600) and migrated when writable.

    Read-only opening returns None when there is no ledger yet and never creates a file:
    `immutable` when no WAL is present (no other writer), plain read-only otherwise.
    """
    try:
        if readonly:
            if not path.exists():
                return None
            live = Path(f"{path}-wal").exists()
            uri = f"{path.resolve().as_uri()}?{'mode=ro' if live else 'immutable=1'}"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=10)
        else:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        if _prepare(conn, path, readonly):
            return conn
        conn.close()
        return None
    except sqlite3.DatabaseError as exc:
        raise LedgerError(f"{path}: cannot open the ledger ({exc})") from None
    except OSError as exc:
        raise LedgerError(f"{path}: cannot open the ledger ({exc.strerror})") from None


def _prepare(conn: sqlite3.Connection, path: Path, readonly: bool) -> bool:
    """Create the schema in an empty writable file, refuse unknown versions, set the pragmas.
    False when a read-only file is empty (nothing recorded yet)."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == 0 and readonly:
        return False  # an empty file: nothing recorded yet
    if version > SCHEMA_VERSION:  # read-only opening reads older versions as they are
        conn.close()
        raise LedgerError(f"{path}: ledger schema version {version} is not supported "
                          f"(this syndicator understands version {SCHEMA_VERSION})")
    if version < SCHEMA_VERSION and not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        _migrate(conn)
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")  # a commit before sending must survive power loss
        conn.execute("PRAGMA secure_delete = ON")  # deleted rows (an old session) leave no bytes
    conn.execute("PRAGMA foreign_keys = ON")
    return True


def _migrate(conn: sqlite3.Connection) -> None:
    """Create (version 0) or upgrade the schema, one step per IMMEDIATE transaction; a second
    process that gets there first leaves nothing to do."""
    while True:
        conn.execute("BEGIN IMMEDIATE")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version >= SCHEMA_VERSION:
            conn.execute("COMMIT")
            return
        script = _SCHEMA + _SOURCES if version == 0 else _MIGRATIONS[version]
        for statement in _statements(script):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION if version == 0 else version + 1}")
        conn.execute("COMMIT")


def _statements(script: str) -> Iterator[str]:
    """Split the schema into statements (executescript would commit our transaction)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""


class Immediate:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error): takes the write lock up front."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise LedgerError(f"ledger is busy: {exc}") from None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if kind is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.IntegrityError):
                raise LedgerError(f"ledger refused a change: {exc}") from exc
