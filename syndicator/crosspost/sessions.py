"""Saved platform logins (a Bluesky session), so a run never logs in once per post: Bluesky
allows about 30 logins in 5 minutes and 300 a day.

A session's tokens are secrets, and the ledger holds none: each endpoint's session lives in its
own file, `sessions/<endpoint>.json` beside the ledger, created with mode 0600 in a 0700
folder and replaced atomically. A session an older version left in the ledger is moved out.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path

from ..endpoints.base import Endpoint
from .ledger import Ledger

logger = logging.getLogger(__name__)


class SessionStore:
    """Restores an endpoint's saved session before its first request and saves it when it
    changes (a refresh or a new login), before anything can interrupt the run."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.folder = Path(ledger.path).parent / "sessions"

    def _file(self, endpoint: Endpoint) -> Path:
        return self.folder / f"{endpoint.name}.json"  # names are [A-Za-z0-9_.-], never "/"

    def restore(self, endpoint: Endpoint, *, now: datetime) -> None:
        """Give the endpoint its saved session, if there is a readable one."""
        saved = self._read(self._file(endpoint))
        legacy = self.ledger.kv_get(f"session:{endpoint.name}")
        if legacy is not None:  # written by an older version: out of the ledger
            saved = saved or legacy
            self._write(self._file(endpoint), saved)
            self.ledger.kv_set(f"session:{endpoint.name}", None, now=now)
        if not saved:
            return
        try:
            endpoint.restore_session(json.loads(saved))
        except (ValueError, TypeError, KeyError):
            logger.warning("endpoint %s: saved session unreadable; logging in again", endpoint.name)

    def save(self, endpoint: Endpoint, *, now: datetime) -> None:
        """Store the endpoint's current session when it differs from the saved one."""
        value = endpoint.session_state()
        if value is None:
            return
        text = json.dumps(value, sort_keys=True)
        path = self._file(endpoint)
        if text != self._read(path):
            self._write(path, text)

    @staticmethod
    def _read(path: Path) -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def _write(self, path: Path, text: str) -> None:
        """Write owner-only, then rename over the old file (a crash leaves one or the other)."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
