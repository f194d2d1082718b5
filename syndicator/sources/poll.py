"""One poll of one source: due? -> conditional GET -> parse -> classify -> record, all in the
ledger database.

Write intent first: the poll time and the next allowed poll are committed before the request
goes out, so a crash (or a restart) never polls a source more often than its interval. The
outcome (validators, moved URL, new entries, their ledger rows) is then committed in one
transaction: a crash leaves a poll wholly recorded or not at all, and a poll not recorded is
simply done again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Sequence

import requests

from ..crosspost.ledger import Ledger, Plan, parse_stamp, stamp
from ..crosspost.policy import backoff, duration_text
from ..crosspost_settings import EndpointSettings
from ..errors import SourceError
from ..redact import redact
from . import store
from .classify import Decision, Seen, classify
from .entry import Entry, to_post
from .fetch import Fetched, fetch
from .identity import assign_keys, normalise_link
from .parse import Feed, parse_feed
from ..sources_settings import SourceSettings

logger = logging.getLogger(__name__)

BASELINE_REASON = "in the feed at the source's first poll (opt in with --backfill N)"


@dataclass
class PollResult:
    """What one poll did."""

    source: str
    outcome: str  # "new", "not modified", "unchanged", "failed", "gone", "not due", "disabled"
    detail: str = ""
    decisions: list[Decision] = field(default_factory=list)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (key, endpoint, why)
    planned: int = 0

    def count(self, state: str) -> int:
        """New entries that got `state`."""
        return sum(1 for d in self.decisions if d.state == state)

    def line(self) -> str:
        """One line for logs and the CLI."""
        parts = [f"source {self.source}: {self.outcome}"]
        counts = [f"{self.count(s)} {s}" for s in ("queued", "held", "baseline", "duplicate")
                  if self.count(s)]
        if counts:
            parts.append(", ".join(counts))
        if self.detail:
            parts.append(self.detail)
        return "; ".join(parts)


def poll(ledger: Ledger, source: SourceSettings, targets: Sequence[EndpointSettings], *,
         session: requests.Session, now: datetime, force: bool = False,
         backfill: int | None = None) -> PollResult:
    """Poll `source` if it is due (or `force`, which still honours the server's Retry-After)."""
    with ledger.transaction():
        begun = begin(ledger, source, now=now, force=force)
    if isinstance(begun, PollResult):
        return begun
    return complete(ledger, source, targets, begun, session=session, now=now, backfill=backfill)


def begin(ledger: Ledger, source: SourceSettings, *, now: datetime,
          force: bool) -> store.SourceState | PollResult:
    """Inside the caller's transaction: the state to poll from, with the poll time and the next
    allowed poll written first; or why the source is not polled now."""
    state = store.ensure(ledger, source.name, source.url, now=now)
    if state.disabled:
        return PollResult(source.name, "disabled", state.disabled_reason or "")
    wait = _wait(state, now, force=force)
    if wait:
        return PollResult(source.name, "not due", wait)
    store.update(ledger, source.name, now=now, last_fetch=stamp(now),
                 next_poll=stamp(now + source.every))
    return state


def complete(ledger: Ledger, source: SourceSettings, targets: Sequence[EndpointSettings],
             state: store.SourceState, *, session: requests.Session, now: datetime,
             backfill: int | None, unchanged: list[str] | None = None) -> PollResult:
    """Fetch and record a begun poll. A plain 304 is appended to `unchanged` (when given) for
    `record_unchanged` to store in one transaction with the others."""
    try:
        fetched = fetch(session, state.url, etag=state.etag, last_modified=state.last_modified,
                        timeout=source.timeout, max_bytes=source.max_bytes, now=now)
        feed = parse_feed(fetched.body, where=source.name) if fetched.status == 200 else None
    except SourceError as exc:
        return _failed(ledger, source, state.failures, exc, now=now)
    plain = feed is None and not fetched.moved and (fetched.etag, fetched.last_modified) == \
        (state.etag, state.last_modified) and state.failures == 0
    if plain and unchanged is not None:
        unchanged.append(source.name)
        return PollResult(source.name, "not modified")
    return _record(ledger, source, targets, fetched, feed, first=state.baseline_at is None,
                   now=now, backfill=backfill)


def record_unchanged(ledger: Ledger, names: list[str], *, now: datetime) -> None:
    """Store many plain 304s at once (validators and next poll are already right)."""
    if names:
        with ledger.transaction():
            ledger.conn.executemany(
                "UPDATE sources SET last_ok = ?, last_status = 'not modified', updated_at = ?"
                " WHERE name = ?", [(stamp(now), stamp(now), n) for n in names])


def _wait(state: store.SourceState, now: datetime, *, force: bool) -> str:
    """Why the source may not be polled now, or ""."""
    not_before = parse_stamp(state.not_before)
    if not_before and not_before > now:
        return f"the server asked us to wait until {state.not_before} (Retry-After)"
    next_poll = parse_stamp(state.next_poll)
    if not force and next_poll and next_poll > now:
        return f"next poll at {state.next_poll}"
    return ""


def _failed(ledger: Ledger, source: SourceSettings, failures: int, exc: SourceError, *,
            now: datetime) -> PollResult:
    """Count a failed poll: 410 disables the source; anything else backs off."""
    text = redact(exc.message)
    failures += 1
    with ledger.transaction():
        if exc.status == 410:
            reason = (f"{text}; the source is disabled: fix its url in config.toml, or run "
                      f"`syndicator retry --source {source.name}` to try again")
            store.update(ledger, source.name, now=now, last_status="gone", last_error=text,
                         failures=failures, disabled=1, disabled_reason=reason)
            logger.error("source %s disabled: %s", source.name, reason)
            return PollResult(source.name, "gone", reason)
        delay = max(source.every, backoff(failures))
        not_before = now + timedelta(seconds=exc.retry_after) if exc.retry_after else None
        next_poll = max(now + delay, not_before or now)
        store.update(ledger, source.name, now=now, last_status="failed", last_error=text,
                     failures=failures, next_poll=stamp(next_poll),
                     not_before=stamp(not_before) if not_before else None)
    logger.warning("source %s: poll failed (%d in a row): %s; next poll %s", source.name,
                   failures, text, stamp(next_poll))
    return PollResult(source.name, "failed", f"{text}; next poll {stamp(next_poll)}")


def _record(ledger: Ledger, source: SourceSettings, targets: Sequence[EndpointSettings], fetched: Fetched,
            feed: Feed | None, *, first: bool, now: datetime, backfill: int | None) -> PollResult:
    """Store the validators and the new entries with their ledger rows, in one transaction."""
    result = PollResult(source.name, "not modified" if feed is None else "unchanged")
    with ledger.transaction():
        values: dict[str, object] = dict(
            etag=fetched.etag, last_modified=fetched.last_modified, last_ok=stamp(now),
            last_status="not modified" if feed is None else "ok", last_error=None, failures=0,
            not_before=None, next_poll=stamp(now + source.every))
        if fetched.moved:
            values["url"] = fetched.moved
            logger.warning("source %s moved permanently (301/308); polling %s from now on",
                           source.name, redact(fetched.moved))
            result.detail = f"moved permanently to {redact(fetched.moved)}"
        if feed is not None:
            decisions = _decide(ledger, source, feed, first=first, now=now, backfill=backfill)
            _store(ledger, result, source, targets, decisions, now=now)
            result.decisions = decisions
            if decisions:
                result.outcome = "new"
            if first:
                values["baseline_at"] = stamp(now)
        store.update(ledger, source.name, now=now, **values)
    for d in result.decisions:
        if d.state in ("held", "duplicate"):
            logger.warning("source %s: %s %s: %s", source.name, d.state, d.key, d.note)
    return result


def _decide(ledger: Ledger, source: SourceSettings, feed: Feed, *, first: bool, now: datetime,
            backfill: int | None) -> list[Decision]:
    items = [(e.entry_id, e.link, e.title, e.raw_date or e.published or "") for e in feed.entries]
    keys = assign_keys(items, source=source.name, home=feed.link)
    rows = [(k, e, to_post(e, key=k, source=source.name, base_url=source.url, first_seen=now).published)
            for k, e in zip(keys, feed.entries)]
    links = [e.norm_link() for e in feed.entries]
    shared = {link for link in links if link and links.count(link) > 1}
    home = normalise_link(feed.link)
    return classify(rows, recorded(ledger, source.name), first_poll=first,
                    hold_over=source.hold_over, backfill=backfill,
                    shared=frozenset(shared | ({home} if home else set())))


def recorded(ledger: Ledger | None, source: str) -> Seen:
    """What the ledger holds for a source, for `classify`."""
    if ledger is None:
        return Seen(frozenset())
    links: dict[str, list[tuple[str, str | None]]] = {}
    keys = set()
    for key, text, _ in store.entries(ledger, source):
        keys.add(key)
        entry = Entry.from_json(text)
        if entry.norm_link():
            links.setdefault(entry.norm_link() or "", []).append((entry.title, entry.published))
    return Seen(frozenset(keys), links)


def _store(ledger: Ledger, result: PollResult, source: SourceSettings, targets: Sequence[EndpointSettings],
           decisions: list[Decision], *, now: datetime) -> None:
    for d in decisions:
        store.add_entry(ledger, source.name, key=d.key, link_norm=d.entry.norm_link(),
                        state=d.state, entry_json=d.entry.to_json(), published=d.published, now=now)
    plan_rows(ledger, result, targets, [d for d in decisions if d.state in ("queued", "baseline")],
              now=now)


def plan_rows(ledger: Ledger, result: PollResult, targets: Sequence[EndpointSettings],
              decisions: list[Decision], *, now: datetime) -> None:
    """Ledger rows for queued (pending, or skipped when too old) and baseline (skipped) entries."""
    for target in targets:
        plans = []
        for d in decisions:
            if d.state == "baseline":
                plans.append(Plan(d.key, d.published, "skipped", BASELINE_REASON))
            elif now - d.published > target.max_age:
                plans.append(Plan(d.key, d.published, "skipped",
                                  f"older than max_age ({duration_text(target.max_age)})"))
            else:
                plans.append(Plan(d.key, d.published, "pending", due=now + target.min_age))
        ledger.add_plans(target.name, plans, now=now, first_seen=False)
        result.planned += sum(p.state == "pending" for p in plans)
        result.skipped += [(p.post_id, target.name, p.reason or "") for p in plans
                           if p.state == "skipped"]
