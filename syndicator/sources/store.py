"""The sources' tables in the ledger database: polling state per source, and every entry seen.

Reads work on a read-only ledger; writes are done by poll.py inside one transaction per poll,
so a crash leaves a poll either fully recorded or not at all.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from ..crosspost.ledger import Ledger, stamp

ENTRY_STATES = ("baseline", "queued", "held", "duplicate")


@dataclass(frozen=True)
class SourceState:
    """What the ledger remembers about one source."""

    name: str
    config_url: str
    url: str
    etag: str | None
    last_modified: str | None
    last_fetch: str | None
    last_ok: str | None
    last_status: str | None
    last_error: str | None
    failures: int
    next_poll: str | None
    not_before: str | None
    disabled: bool
    disabled_reason: str | None
    baseline_at: str | None
    created_at: str
    updated_at: str


_COLUMNS = ", ".join(SourceState.__dataclass_fields__)


def get(ledger: Ledger, name: str) -> SourceState | None:
    """One source's state, or None when it was never polled (or the ledger predates sources)."""
    try:
        row = ledger.conn.execute(f"SELECT {_COLUMNS} FROM sources WHERE name = ?",
                                  (name,)).fetchone()
    except sqlite3.OperationalError:  # a version-1 ledger opened read-only
        return None
    return _state(row) if row else None


def ensure(ledger: Ledger, name: str, url: str, *, now: datetime) -> SourceState:
    """The source's state, created (or reset when config.toml's url changed) in this transaction."""
    state = get(ledger, name)
    if state is None:
        ledger.conn.execute("INSERT INTO sources (name, config_url, url, created_at, updated_at)"
                            " VALUES (?, ?, ?, ?, ?)", (name, url, url, stamp(now), stamp(now)))
    elif state.config_url != url:  # the user pointed it elsewhere: start that address afresh
        ledger.conn.execute(
            "UPDATE sources SET config_url = ?, url = ?, etag = NULL, last_modified = NULL,"
            " disabled = 0, disabled_reason = NULL, failures = 0, next_poll = NULL,"
            " not_before = NULL, updated_at = ? WHERE name = ?", (url, url, stamp(now), name))
    else:
        return state
    fresh = get(ledger, name)
    assert fresh is not None
    return fresh


def update(ledger: Ledger, name: str, *, now: datetime, **values: object) -> None:
    """Set columns of a source's row (inside the caller's transaction)."""
    for key in values:
        if key not in SourceState.__dataclass_fields__:
            raise KeyError(key)
    sets = ", ".join(f"{k} = ?" for k in values)
    ledger.conn.execute(f"UPDATE sources SET {sets}, updated_at = ? WHERE name = ?",
                        (*values.values(), stamp(now), name))


def states(ledger: Ledger | None) -> dict[str, SourceState]:
    """Every source the ledger has seen, by name."""
    if ledger is None:
        return {}
    try:
        rows = ledger.conn.execute(f"SELECT {_COLUMNS} FROM sources ORDER BY name").fetchall()
    except sqlite3.OperationalError:
        return {}
    return {r[0]: _state(r) for r in rows}


def _state(row: tuple) -> SourceState:
    values = list(row)
    values[12] = bool(values[12])
    return SourceState(*values)


def seen(ledger: Ledger, source: str) -> tuple[set[str], set[str]]:
    """The entry keys and normalised links this source has recorded."""
    keys, links = set(), set()
    for key, link in ledger.conn.execute(
            "SELECT entry_key, link_norm FROM source_entries WHERE source = ?", (source,)):
        keys.add(key)
        if link:
            links.add(link)
    return keys, links


def add_entry(ledger: Ledger, source: str, *, key: str, link_norm: str | None, state: str,
              entry_json: str, published: datetime, now: datetime) -> None:
    """Record an entry (inside the caller's transaction); an existing key is left alone."""
    ledger.conn.execute(
        "INSERT OR IGNORE INTO source_entries (source, entry_key, link_norm, state, entry,"
        " published, first_seen, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (source, key, link_norm, state, entry_json, stamp(published), stamp(now), stamp(now)))


def set_entry_state(ledger: Ledger, source: str, keys: Iterable[str], state: str, *,
                    now: datetime) -> None:
    """Move entries to another state (inside the caller's transaction)."""
    ledger.conn.executemany(
        "UPDATE source_entries SET state = ?, updated_at = ? WHERE source = ? AND entry_key = ?",
        [(state, stamp(now), source, k) for k in keys])


def entries(ledger: Ledger | None, source: str, *, state: str | None = None) -> list[tuple[str, str, str]]:
    """(key, entry JSON, first_seen) of a source's entries, oldest first, optionally by state."""
    if ledger is None:
        return []
    sql = "SELECT entry_key, entry, first_seen FROM source_entries WHERE source = ?"
    params: list[str] = [source]
    if state:
        sql += " AND state = ?"
        params.append(state)
    try:
        return [tuple(r) for r in ledger.conn.execute(sql + " ORDER BY published, entry_key",
                                                      params)]
    except sqlite3.OperationalError:
        return []


def counts(ledger: Ledger | None, source: str) -> dict[str, int]:
    """state -> number of entries, for one source."""
    if ledger is None:
        return {}
    try:
        rows = ledger.conn.execute("SELECT state, COUNT(*) FROM source_entries WHERE source = ?"
                                   " GROUP BY state", (source,)).fetchall()
    except sqlite3.OperationalError:
        return {}
    return {s: n for s, n in rows}


def open_entries(ledger: Ledger, source: str, endpoints: Iterable[str]) -> list[tuple[str, str, str]]:
    """(key, entry JSON, first_seen) of this source's entries with an unfinished delivery."""
    names = tuple(endpoints)
    if not names:
        return []
    marks = ", ".join("?" * len(names))
    return [tuple(r) for r in ledger.conn.execute(
        "SELECT DISTINCT e.entry_key, e.entry, e.first_seen FROM source_entries e JOIN deliveries d"
        f" ON d.post_id = e.entry_key WHERE e.source = ? AND d.endpoint IN ({marks})"
        " AND d.state IN ('pending', 'sending', 'unknown')", (source, *names))]
