"""What `syndicator sources`, `status` and /healthz show about feed sources, and releasing
what a source holds (`syndicator retry --source NAME`)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from ..config import Config
from ..crosspost.ledger import open_ledger, parse_stamp, stamp
from ..crosspost.runner import _RunLock
from ..sources_settings import find
from . import store
from .classify import Decision
from .entry import Entry, to_post
from .poll import PollResult, plan_rows

logger = logging.getLogger(__name__)


def sources_status(config: Config, *, now: datetime) -> list[dict[str, Any]]:
    """Per configured source: url, last fetch and status, validators, counts, held, next poll."""
    ledger = open_ledger(config.crosspost.ledger, readonly=True)
    try:
        known = store.states(ledger)
        out = []
        for source in config.sources:
            state = known.get(source.name)
            counts = store.counts(ledger, source.name)
            held = store.entries(ledger, source.name, state="held")
            out.append({
                "name": source.name, "enabled": source.enabled, "url": _public(
                    state.url if state else source.url), "every": int(source.every.total_seconds()),
                "status": _status(source.enabled, state),
                "last_fetch": state.last_fetch if state else None,
                "last_ok": state.last_ok if state else None,
                "last_error": state.last_error if state else None,
                "failures": state.failures if state else 0,
                "etag": state.etag if state else None,
                "last_modified": state.last_modified if state else None,
                "entries_seen": sum(counts.values()), "counts": counts,
                "held": [Entry.from_json(text).title or key for key, text, _ in held],
                "next_poll": _next(state, now),
            })
        return out
    finally:
        if ledger is not None:
            ledger.close()


def _status(enabled: bool, state: store.SourceState | None) -> str:
    if not enabled:
        return "disabled in config"
    if state is None:
        return "never polled"
    if state.disabled:
        return "disabled: " + (state.disabled_reason or "")
    return state.last_status or "never polled"


def _next(state: store.SourceState | None, now: datetime) -> str | None:
    if state is None or state.disabled:
        return None if state else stamp(now)
    times = [t for t in (state.next_poll, state.not_before) if t]
    return max(times) if times else stamp(now)


def _public(url: str) -> str:
    """The address without its query or user info (a private feed's token lives there)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}" \
        f"{parts.path}" + ("?…" if parts.query else "")


def release(config: Config, name: str, *, now: datetime) -> tuple[int, bool]:
    """Queue a source's held entries, re-enable it if a 410 disabled it and let it poll now.
    Returns (entries released, whether it was disabled)."""
    source = find(config.sources, name, file=config.path.name)
    with _RunLock(config.crosspost.ledger), open_ledger(config.crosspost.ledger) as ledger:
        with ledger.transaction():
            state = store.ensure(ledger, source.name, source.url, now=now)
            held = store.entries(ledger, source.name, state="held")
            decisions = []
            for key, text, first_seen in held:
                entry = Entry.from_json(text)
                seen = parse_stamp(first_seen) or now
                post = to_post(entry, key=key, source=source.name, base_url=source.url,
                               first_seen=seen)
                decisions.append(Decision(key, entry, "queued", post.published))
            plan_rows(ledger, PollResult(source.name, "released"), source.targets(config.crosspost),
                      decisions, now=now)
            store.set_entry_state(ledger, source.name, [d.key for d in decisions], "queued",
                                  now=now)
            store.update(ledger, source.name, now=now, disabled=0, disabled_reason=None,
                         failures=0, next_poll=None)
    if decisions:
        logger.info("source %s: %d held entries released", source.name, len(decisions))
    return len(decisions), state.disabled
