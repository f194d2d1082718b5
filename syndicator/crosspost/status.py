"""What the ledger says: per endpoint counts by state, pauses, the latest deliveries and the
ones that need attention; and `retry`, which re-queues failed and unknown deliveries.

`sending` is its own state here: a run was interrupted (a crash, a kill) while that delivery
was on its way; the next run settles it by its endpoint's rule before anything is resent."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from ..config import Config
from ..redact import redact
from .ledger import Requeued, Row, open_ledger
from .ledger_schema import STATES

logger = logging.getLogger(__name__)


def status(config: Config, *, recent: int = 10) -> dict[str, Any]:
    """Per endpoint: counts by state, paused or not; the latest deliveries; failures."""
    settings = config.crosspost
    out: dict[str, Any] = {"ledger": str(settings.ledger), "exists": False, "endpoints": [],
                           "recent": [], "problems": [], "retrying": [], "interrupted": []}
    ledger = open_ledger(settings.ledger, readonly=True)
    if ledger is None:
        out["endpoints"] = [_endpoint(e.name, e, None, {}) for e in settings.endpoints]
        return out
    with ledger:
        counts = ledger.counts()
        seen = {e.name: e for e in ledger.endpoints()}
        configured = {e.name: e for e in settings.endpoints}
        names = list(configured) + sorted(set(seen) - set(configured))
        out["exists"] = True
        out["endpoints"] = [_endpoint(n, configured.get(n), seen.get(n), counts.get(n, {}))
                            for n in names]
        out["recent"] = [_row(r) for r in ledger.rows(states=["sent"], order="sent_at DESC",
                                                      limit=recent)]
        out["problems"] = [_row(r) for r in ledger.rows(states=["failed", "unknown"],
                                                        order="updated_at DESC")]
        out["retrying"] = [_row(r) for r in ledger.rows(states=["pending"]) if r.attempts > 0]
        out["interrupted"] = [_row(r) for r in ledger.rows(states=["sending"])]
    return out


def _endpoint(name: str, configured: Any, seen: Any, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "name": name, "type": configured.kind if configured else None,
        "configured": configured is not None, "enabled": bool(configured and configured.enabled),
        "first_seen": seen.first_seen if seen else None,
        "paused": bool(seen and seen.paused),
        "paused_reason": seen.paused_reason if seen else None,
        "counts": {s: counts.get(s, 0) for s in STATES},
    }


def _row(r: Row) -> dict[str, Any]:
    return {"post_id": r.post_id, "endpoint": r.endpoint, "state": r.state,
            "attempts": r.attempts, "remote_url": r.remote_url, "sent_at": r.sent_at,
            "last_error": redact(r.last_error) if r.last_error else None,
            "next_attempt_at": r.next_attempt_at, "updated_at": r.updated_at}


def retry(config: Config, *, endpoint: str | None = None, post_id: str | None = None,
          now: datetime, force: bool = False) -> Requeued:
    """Re-queue failed deliveries and settle unknown ones (resume paused endpoints too).

    An `unknown` delivery may have landed, so it is not simply resent: the next run first runs
    its endpoint's settle rule (Mastodon: the same Idempotency-Key within the hour, else look
    for the post's URL among the account's latest statuses; Bluesky: getRecord for the record
    key; webhook: the same webhook-id) and resends only when that says it is certainly absent.
    Endpoints with no rule (resend_when_unsure = false) keep theirs; `force` resends all.
    """
    settings = config.crosspost
    if not settings.ledger.exists():
        if endpoint is not None:
            settings.endpoint(endpoint)  # a ConfigError with a suggestion if it is a typo
        return Requeued(0, 0, 0, 0)
    uncheckable = [e.name for e in settings.endpoints if not e.resend_when_unsure]
    with open_ledger(settings.ledger) as ledger:
        if endpoint is not None and ledger.endpoint(endpoint) is None:
            settings.endpoint(endpoint)
        if post_id is None or endpoint is not None:
            for name in ([endpoint] if endpoint else [e.name for e in ledger.endpoints()]):
                if ledger.unpause(name):
                    logger.info("endpoint %s resumed", name)
        return ledger.requeue(endpoint=endpoint, post_id=post_id, now=now, force=force,
                              uncheckable=uncheckable)
