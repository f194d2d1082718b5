"""WebSub pings that are never lost: an outbox in <state_dir>/websub.sqlite.

After a build, `announce()` compares every feed file in the output folder with what the hubs
last heard of it (its size and modification time when it was announced). Each feed that
changed, appeared or disappeared gets one pending ping per hub, committed before any is sent;
then every ping that is due is sent. A ping that fails stays, with a backoff (1 min, 5 min,
15 min, 1 h, ... 24 h, at most 8 attempts or 48 hours); a successful one is deleted. So a
crash between writing the feeds and pinging, or a hub answering 503, only delays a ping: the
next build (from `syndicator build` or the daemon) finds the feed differs from what was
announced, or the ping still pending, and sends it. Pings are idempotent, so a repeat is
harmless. The first announce for an output folder only records what exists (nothing is pinged
but the files the build just changed), so upgrading does not flood the hubs.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterable

import requests

from ..config import Config
from ..endpoints.websub import ping
from ..errors import LedgerError, TransientError
from ..redact import one_line
from .ledger_rows import parse_stamp, stamp
from .policy import MAX_ATTEMPTS, MAX_WINDOW, backoff

logger = logging.getLogger(__name__)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS announced (path TEXT PRIMARY KEY, size INTEGER NOT NULL,"
    " mtime_ns INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS pings (hub TEXT NOT NULL, feed_url TEXT NOT NULL,"
    " due_at TEXT NOT NULL, first_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT, PRIMARY KEY (hub, feed_url))",
)


@dataclass(frozen=True)
class PingReport:
    """What one announce did: pings sent, pings still pending (to retry), pings given up."""

    sent: int = 0
    pending: int = 0
    dropped: int = 0
    next_due: datetime | None = None

    def summary(self) -> str:
        """One line for the CLI and the daemon's log."""
        line = f"websub: {self.sent} ping(s) sent, {self.pending} pending"
        return line + (f", {self.dropped} given up" if self.dropped else "")


def announce(config: Config, *, now: datetime, session: requests.Session | None = None,
             changed: Iterable[Path] = (), timeout: float = 10.0) -> PingReport:
    """Record the feeds the hubs have not heard about, then send every ping that is due."""
    hubs = tuple(dict.fromkeys(config.feeds.hubs))
    if not hubs:
        return PingReport()
    with closing(_open(config.state_dir / "websub.sqlite")) as conn:
        _record(conn, config, hubs, {Path(p).resolve() for p in changed}, now)
        if session is not None:
            return _send_due(conn, session, now=now, timeout=timeout)
        with requests.Session() as own:
            from .. import __version__

            own.headers["User-Agent"] = f"syndicator/{__version__}"
            return _send_due(conn, own, now=now, timeout=timeout)


def _open(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")  # a recorded ping must survive a crash
        for statement in _SCHEMA:
            conn.execute(statement)
        return conn
    except (sqlite3.DatabaseError, OSError) as exc:
        raise LedgerError(f"{path}: cannot open the WebSub outbox ({exc})") from None


def _feeds(config: Config) -> dict[str, tuple[int, int]]:
    """Every feed file under the output folder (relative path -> size, mtime_ns), by what
    [feeds.paths] says each path holds; OPML is not a feed."""
    out: dict[str, tuple[int, int]] = {}
    root, paths = config.feeds.output, config.feeds.paths
    for folder, _, names in os.walk(root):
        for name in names:
            rel = Path(folder, name).relative_to(root).as_posix()
            if paths.format_of(rel) in ("rss", "atom", "json") and not name.startswith("."):
                try:
                    info = os.stat(os.path.join(folder, name))
                except OSError:  # a dangling link is not a feed
                    continue
                out[rel] = (info.st_size, info.st_mtime_ns)
    return out


def _record(conn: sqlite3.Connection, config: Config, hubs: tuple[str, ...],
            changed: set[Path], now: datetime) -> None:
    """One transaction: queue a ping per hub for each feed that differs from what was
    announced (or, on the first run, that the build says it changed); note it as announced."""
    files = _feeds(config)
    conn.execute("BEGIN IMMEDIATE")
    try:
        known = {p: (s, m) for p, s, m in conn.execute("SELECT path, size, mtime_ns FROM announced")}
        first = not known
        root = config.feeds.output.resolve()
        if first:  # a baseline: only what this build changed is news
            fresh = [p for p in files if (root / p) in changed]
        else:
            fresh = [p for p, stat in files.items() if known.get(p) != stat]
        gone = [p for p in known if p not in files]
        for rel in fresh + gone:
            for hub in hubs:
                conn.execute("INSERT INTO pings (hub, feed_url, due_at, first_at) VALUES (?, ?, ?, ?)"
                             " ON CONFLICT (hub, feed_url) DO UPDATE SET due_at = excluded.due_at",
                             (hub, config.feeds.url + rel, stamp(now), stamp(now)))
        conn.executemany("INSERT OR REPLACE INTO announced (path, size, mtime_ns) VALUES (?, ?, ?)",
                         [(p, s, m) for p, (s, m) in files.items()])
        conn.executemany("DELETE FROM announced WHERE path = ?", [(p,) for p in gone])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _send_due(conn: sqlite3.Connection, session: requests.Session, *, now: datetime,
              timeout: float) -> PingReport:
    """Ping every due (hub, feed); delete on success, back off (or give up) on failure."""
    rows = conn.execute("SELECT hub, feed_url, first_at, attempts FROM pings WHERE due_at <= ?"
                        " ORDER BY hub, feed_url", (stamp(now),)).fetchall()
    sent = dropped = 0
    for hub, feed_url, first_at, attempts in rows:
        try:
            ping(session, hub, feed_url, timeout=timeout)
        except TransientError as exc:
            dropped += _failed(conn, hub, feed_url, first_at, attempts + 1, str(exc), now)
            continue
        conn.execute("DELETE FROM pings WHERE hub = ? AND feed_url = ?", (hub, feed_url))
        sent += 1
    pending, due = conn.execute("SELECT COUNT(*), MIN(due_at) FROM pings").fetchone()
    return PingReport(sent=sent, pending=pending, dropped=dropped, next_due=parse_stamp(due))


def _failed(conn: sqlite3.Connection, hub: str, feed_url: str, first_at: str, attempts: int,
            error: str, now: datetime) -> int:
    """Schedule the next attempt, or give up after MAX_ATTEMPTS or MAX_WINDOW; 1 if given up."""
    error = one_line(error, limit=300)
    began = parse_stamp(first_at) or now
    if attempts >= MAX_ATTEMPTS or now - began >= MAX_WINDOW:
        logger.error("websub: gave up pinging after %d attempts: %s", attempts, error)
        conn.execute("DELETE FROM pings WHERE hub = ? AND feed_url = ?", (hub, feed_url))
        return 1
    due = now + max(backoff(attempts), timedelta(seconds=1))
    logger.warning("websub: %s; next attempt %s", error, stamp(due))
    conn.execute("UPDATE pings SET attempts = ?, due_at = ?, last_error = ? WHERE hub = ? AND "
                 "feed_url = ?", (attempts, stamp(due), error, hub, feed_url))
    return 0
