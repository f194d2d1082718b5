"""The delivery ledger: one SQLite row per (post id, endpoint name), the single source of truth
for what was sent where.

States (a closed set the database enforces):

    pending  -- claim -->  sending  -- receipt -->  sent      (final)
       ^                      |----- permanent -->  failed    (retry command re-queues)
       |-- transient/auth ----|----- ambiguous -->  unknown   (settled later, or kept for a human)
    skipped (final): existed before the endpoint, too old, or opted out when planned

Write intent before sending: `claim()` stores the idempotency/record key and commits (BEGIN
IMMEDIATE) before any network traffic, so a crash leaves a `sending` row with its key, which the
next run settles by the endpoint's rule. Triggers keep `sent` and `skipped` final and `attempts`
monotonic. WAL journal; schema version in PRAGMA user_version. Secrets are never stored: errors
are redacted by the caller before `record_*`.

The schema, its creation and version check, and the connection live in ledger_schema.py; the
row types in ledger_rows.py; this module holds the queries and re-exports them.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from ..errors import LedgerError
from .ledger_rows import EndpointState, Plan, Requeued, Row, parse_stamp, stamp
from .ledger_schema import SCHEMA_VERSION, STATES, Immediate, connect

__all__ = ["SCHEMA_VERSION", "STATES", "EndpointState", "Ledger", "Plan", "Requeued", "Row",
           "open_ledger", "parse_stamp", "stamp"]


_COLUMNS = ", ".join(Row.__dataclass_fields__)


class Ledger:
    """An open ledger database. Use as a context manager; `readonly` never writes a byte."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, readonly: bool = False) -> None:
        self.conn = conn
        self.path = path
        self.readonly = readonly

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (WAL is checkpointed by SQLite when the last one closes)."""
        self.conn.close()

    # -- transactions -------------------------------------------------------------------------

    def _write(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement in its own IMMEDIATE transaction; return the rows changed."""
        with self._transaction():
            return self.conn.execute(sql, tuple(params)).rowcount

    def transaction(self) -> "Immediate":
        """BEGIN IMMEDIATE ... COMMIT around several writes that must land together."""
        return self._transaction()

    def _transaction(self) -> "Immediate":
        if self.readonly:
            raise LedgerError(f"{self.path}: opened read-only")
        return Immediate(self.conn)

    # -- endpoints ----------------------------------------------------------------------------

    def endpoint(self, name: str) -> EndpointState | None:
        """What the ledger knows about one endpoint, or None if it was never planned."""
        row = self.conn.execute("SELECT name, first_seen, paused, paused_reason, paused_at "
                                "FROM endpoints WHERE name = ?", (name,)).fetchone()
        return EndpointState(row[0], row[1], bool(row[2]), row[3], row[4]) if row else None

    def endpoints(self) -> list[EndpointState]:
        """Every endpoint the ledger has seen, by name."""
        rows = self.conn.execute("SELECT name, first_seen, paused, paused_reason, paused_at "
                                 "FROM endpoints ORDER BY name").fetchall()
        return [EndpointState(r[0], r[1], bool(r[2]), r[3], r[4]) for r in rows]

    def pause(self, name: str, reason: str, *, now: datetime) -> None:
        """Stop delivering to an endpoint until `unpause` (credentials rejected, endpoint gone)."""
        self._write("INSERT INTO endpoints (name, first_seen, paused, paused_reason, paused_at)"
                    " VALUES (?, ?, 1, ?, ?) ON CONFLICT(name) DO UPDATE SET paused = 1,"
                    " paused_reason = excluded.paused_reason, paused_at = excluded.paused_at",
                    (name, stamp(now), reason, stamp(now)))

    def unpause(self, name: str | None = None) -> int:
        """Resume one endpoint (or all); returns how many were paused."""
        where, params = ("WHERE paused = 1 AND name = ?", (name,)) if name else ("WHERE paused = 1", ())
        return self._write("UPDATE endpoints SET paused = 0, paused_reason = NULL, paused_at = NULL "
                           + where, params)

    # -- planning -----------------------------------------------------------------------------

    def plan(self, endpoint: str, plans: Iterable[Plan], *, now: datetime) -> int:
        """Record the endpoint as seen and create the rows that do not exist yet (one transaction).

        Existing rows are never touched: a post's id is its delivery key, so edits never re-send.
        Returns how many rows were created.
        """
        with self._transaction():
            return self.add_plans(endpoint, plans, now=now)

    def add_plans(self, endpoint: str, plans: Iterable[Plan], *, now: datetime,
                  first_seen: bool = True) -> int:
        """`plan` inside the caller's `transaction()` (a source's poll records its entries and
        their rows in one commit). `first_seen=False` leaves the endpoint's first-seen mark
        alone: a feed source's rows must not end the posts folder's baseline for it."""
        created = 0
        if first_seen:
            self.conn.execute("INSERT OR IGNORE INTO endpoints (name, first_seen) VALUES (?, ?)",
                              (endpoint, stamp(now)))
        for p in plans:
            if p.state not in ("pending", "skipped"):
                raise LedgerError(f"cannot plan a delivery as {p.state!r}")
            created += self.conn.execute(
                "INSERT OR IGNORE INTO deliveries (post_id, endpoint, state, reason, published,"
                " next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (p.post_id, endpoint, p.state, p.reason, stamp(p.published),
                 stamp(p.due) if p.due else None, stamp(now), stamp(now)),
            ).rowcount
        return created

    def known(self, endpoint: str) -> set[str]:
        """The post ids that already have a row for this endpoint."""
        rows = self.conn.execute("SELECT post_id FROM deliveries WHERE endpoint = ?", (endpoint,))
        return {r[0] for r in rows}

    # -- delivering ---------------------------------------------------------------------------

    def get(self, post_id: str, endpoint: str) -> Row | None:
        """One delivery row."""
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM deliveries WHERE post_id = ? AND endpoint = ?",
                                (post_id, endpoint)).fetchone()
        return Row(*row) if row else None

    def due(self, endpoint: str, *, now: datetime) -> list[Row]:
        """Rows to work on now, oldest post first: pending or settleable-unknown rows whose time
        has come, and rows a crash left in `sending` (only one run holds the run lock)."""
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM deliveries WHERE endpoint = ? AND ("
            " state = 'sending'"
            " OR (state IN ('pending', 'unknown') AND next_attempt_at IS NOT NULL"
            "     AND next_attempt_at <= ?))"
            " ORDER BY published, post_id", (endpoint, stamp(now))).fetchall()
        return [Row(*r) for r in rows]

    def claim(self, post_id: str, endpoint: str, *, key: str | None, now: datetime) -> Row | None:
        """Mark a delivery `sending`, count the attempt and store its key (kept if already set),
        committed before anything is sent. Returns the row as it was before the claim, or None
        if it was not claimable (already sent, skipped, failed or unknown-for-good)."""
        with self._transaction():
            before = self.conn.execute(f"SELECT {_COLUMNS} FROM deliveries WHERE post_id = ? "
                                       "AND endpoint = ?", (post_id, endpoint)).fetchone()
            if before is None:
                return None
            row = Row(*before)
            settleable = row.state == "unknown" and row.next_attempt_at is not None
            if row.state not in ("pending", "sending") and not settleable:
                return None
            self.conn.execute(
                "UPDATE deliveries SET state = 'sending', attempts = attempts + 1,"
                " key = COALESCE(key, ?), window_start = COALESCE(window_start, ?),"
                " next_attempt_at = NULL, updated_at = ? WHERE post_id = ? AND endpoint = ?",
                (key, stamp(now), stamp(now), post_id, endpoint))
        return row

    def _outcome(self, post_id: str, endpoint: str, sets: str, params: tuple[Any, ...]) -> None:
        changed = self._write(f"UPDATE deliveries SET {sets} WHERE post_id = ? AND endpoint = ? "
                              "AND state = 'sending'", (*params, post_id, endpoint))
        if changed != 1:
            raise LedgerError(f"ledger: delivery of {post_id} to {endpoint} was not being sent")

    def record_sent(self, post_id: str, endpoint: str, *, remote_id: str | None,
                    remote_url: str | None, now: datetime) -> None:
        """The platform accepted the post: final."""
        self._outcome(post_id, endpoint, "state = 'sent', remote_id = ?, remote_url = ?, "
                      "sent_at = ?, updated_at = ?, next_attempt_at = NULL, reason = NULL",
                      (remote_id, remote_url, stamp(now), stamp(now)))

    def record_retry(self, post_id: str, endpoint: str, *, error: str, next_at: datetime,
                     now: datetime, reset_budget: bool = False) -> None:
        """Definitely not applied: back to `pending`, due at `next_at`, same key.

        `reset_budget` (credentials rejected, endpoint paused) keeps the attempt from counting.
        """
        reset = ", budget_base = attempts, window_start = NULL" if reset_budget else ""
        self._outcome(post_id, endpoint, "state = 'pending', last_error = ?, next_attempt_at = ?,"
                      f" updated_at = ?{reset}", (error, stamp(next_at), stamp(now)))

    def record_unknown(self, post_id: str, endpoint: str, *, error: str, next_at: datetime | None,
                       now: datetime) -> None:
        """May or may not have been applied: settle at `next_at`, or (None) leave it to a human."""
        self._outcome(post_id, endpoint, "state = 'unknown', last_error = ?, next_attempt_at = ?,"
                      " updated_at = ?", (error, stamp(next_at) if next_at else None, stamp(now)))

    def hold(self, post_id: str, endpoint: str, *, error: str, now: datetime) -> None:
        """An `unknown` delivery that must not be settled automatically: keep it for a human."""
        self._write("UPDATE deliveries SET last_error = ?, next_attempt_at = NULL, updated_at = ?"
                    " WHERE post_id = ? AND endpoint = ? AND state = 'unknown'",
                    (error, stamp(now), post_id, endpoint))

    def record_failed(self, post_id: str, endpoint: str, *, error: str, now: datetime) -> None:
        """Will not succeed by retrying; `retry` re-queues it."""
        self._outcome(post_id, endpoint, "state = 'failed', last_error = ?, reason = ?,"
                      " next_attempt_at = NULL, updated_at = ?", (error, error, stamp(now)))

    def skip(self, post_id: str, endpoint: str, *, reason: str, now: datetime) -> bool:
        """Give up on a never-attempted pending delivery (e.g. it grew older than max_age)."""
        return self._write("UPDATE deliveries SET state = 'skipped', reason = ?, updated_at = ?,"
                           " next_attempt_at = NULL WHERE post_id = ? AND endpoint = ?"
                           " AND state = 'pending' AND attempts = 0",
                           (reason, stamp(now), post_id, endpoint)) == 1

    def requeue(self, *, endpoint: str | None = None, post_id: str | None = None,
                now: datetime, force: bool = False, uncheckable: Iterable[str] = ()) -> Requeued:
        """Give failed and unknown deliveries a fresh retry budget (one transaction).

        failed -> pending (nothing was applied). unknown -> due to be *settled* by the
        endpoint's rule before any resend, except on endpoints in `uncheckable` (no rule: kept).
        force: unknown -> pending with a fresh key, resent without checking (may duplicate).
        """
        where, params = "", []
        for column, value in (("endpoint", endpoint), ("post_id", post_id)):
            if value:
                where += f" AND {column} = ?"
                params.append(value)
        fresh = "budget_base = attempts, window_start = NULL, next_attempt_at = ?, reason = NULL, " \
                "updated_at = ?"
        held = tuple(uncheckable) if not force else ()
        skip_held = f" AND endpoint NOT IN ({', '.join('?' * len(held))})" if held else ""
        with self._transaction():
            run = self.conn.execute
            resend = run(f"UPDATE deliveries SET state = 'pending', {fresh} WHERE state = 'failed'"
                         + where, (stamp(now), stamp(now), *params)).rowcount
            if force:
                forced = run(f"UPDATE deliveries SET state = 'pending', key = NULL, {fresh} "
                             "WHERE state = 'unknown'" + where,
                             (stamp(now), stamp(now), *params)).rowcount
                return Requeued(resend, 0, forced, 0)
            settle = run(f"UPDATE deliveries SET {fresh} WHERE state = 'unknown'" + where
                         + skip_held, (stamp(now), stamp(now), *params, *held)).rowcount
            kept = run("SELECT COUNT(*) FROM deliveries WHERE state = 'unknown'" + where
                       + (f" AND endpoint IN ({', '.join('?' * len(held))})" if held else
                          " AND 0"), (*params, *held)).fetchone()[0]
        return Requeued(resend, settle, 0, kept)

    # -- queries ------------------------------------------------------------------------------

    def rows(self, *, endpoint: str | None = None, states: Iterable[str] = (),
             order: str = "published, post_id", limit: int | None = None) -> list[Row]:
        """Rows filtered by endpoint and state."""
        where, params = ["1 = 1"], []
        if endpoint:
            where.append("endpoint = ?")
            params.append(endpoint)
        states = tuple(states)
        if states:
            where.append(f"state IN ({', '.join('?' * len(states))})")
            params.extend(states)
        sql = f"SELECT {_COLUMNS} FROM deliveries WHERE {' AND '.join(where)} ORDER BY {order}"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [Row(*r) for r in self.conn.execute(sql, params).fetchall()]

    def counts(self) -> dict[str, dict[str, int]]:
        """endpoint -> state -> number of rows."""
        out: dict[str, dict[str, int]] = {}
        for name, state, n in self.conn.execute(
                "SELECT endpoint, state, COUNT(*) FROM deliveries GROUP BY endpoint, state"):
            out.setdefault(name, {})[state] = n
        return out

    # -- key/value (e.g. a Bluesky session, so we never log in per post) ----------------------

    def kv_get(self, key: str) -> str | None:
        """A stored value, or None."""
        row = self.conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def kv_set(self, key: str, value: str | None, *, now: datetime) -> None:
        """Store (or with None, delete) a value."""
        if value is None:
            self._write("DELETE FROM kv WHERE key = ?", (key,))
        else:
            self._write("INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key)"
                        " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                        (key, value, stamp(now)))


def open_ledger(path: Path, *, readonly: bool = False) -> Ledger | None:
    """Open (creating with mode 0600 when writable) the ledger at `path`.

    Read-only opening returns None when there is no ledger yet and never creates a file.
    """
    path = Path(path)
    conn = connect(path, readonly=readonly)
    return Ledger(conn, path, readonly=readonly) if conn is not None else None
