"""Saved platform logins (a Bluesky session), so a run never logs in once per post: Bluesky
allows about 30 logins in 5 minutes and 300 a day."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from ..endpoints.base import Endpoint
from .ledger import Ledger

logger = logging.getLogger(__name__)


class SessionStore:
    """Restores an endpoint's saved session before its first request and saves it when it
    changes (a refresh or a new login), before anything can interrupt the run."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def restore(self, endpoint: Endpoint) -> None:
        """Give the endpoint its saved session, if there is a readable one."""
        saved = self.ledger.kv_get(f"session:{endpoint.name}")
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
        if text != self.ledger.kv_get(f"session:{endpoint.name}"):
            self.ledger.kv_set(f"session:{endpoint.name}", text, now=now)
