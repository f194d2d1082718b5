"""Delivering what the plan put in the ledger: claim -> send -> record, one endpoint queue each.

The rules (../shared/design/crosspost.md): claim the row and store its key, commit, then send,
then record. Oldest first, paced per endpoint. Outcomes:
- a Receipt -> sent (anything else, even a truthy value, is not success);
- TransientError -> up to two quick retries when the platform asks to wait at most 60 s,
  else exponential backoff with jitter (1m ... 24h), at most 8 attempts or 48 h, then failed;
  the endpoint's other posts wait for the next run;
- PermanentError -> failed, no automatic retry; AuthError (and 410 Gone) -> the endpoint is
  paused with a message naming the credential, the delivery kept and its budget not burned;
- AmbiguousError or an unexpected exception -> unknown, settled later by the endpoint's rule
  (`settle`), or kept for a human when the kind must not resend (chat webhooks).
A row left in `sending` by a crash is settled the same way on the next run.
"""

from __future__ import annotations

import json
import logging
import os
import random
import signal
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping

from .. import redact as redaction
from ..endpoints.base import Receipt
from ..errors import AmbiguousError, AuthError, DeliveryError, PermanentError, TransientError
from ..model import Body, Post
from ..posts.content import render_body
from .ledger import Ledger, Row, parse_stamp, stamp
from .targets import Target

logger = logging.getLogger(__name__)

BACKOFF = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600)  # seconds
MAX_ATTEMPTS = 8
MAX_WINDOW = timedelta(hours=48)
QUICK_RETRIES = 2
QUICK_WAIT_LIMIT = 60.0  # longer Retry-After -> schedule, do not sleep in the run
JITTER = 0.2
_rng = random.Random()


@dataclass(frozen=True)
class Attempt:
    """One delivery attempt (or settlement) and where it left the row."""

    post_id: str
    endpoint: str
    state: str
    attempt: int
    detail: str = ""  # remote URL or the redacted error


def duration_text(delta: timedelta) -> str:
    """"7d", "2h", "90s": a duration as config spells it, for messages."""
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _crash_hook(point: str) -> None:
    """Crash tests only: SIGKILL this process at the Nth ledger step (SYNDICATOR_TEST_CRASH_AT)."""
    limit = os.environ.get("SYNDICATOR_TEST_CRASH_AT")
    if not limit:
        return
    _crash_hook.count = getattr(_crash_hook, "count", 0) + 1  # type: ignore[attr-defined]
    if _crash_hook.count >= int(limit):  # type: ignore[attr-defined]
        os.kill(os.getpid(), signal.SIGKILL)


def backoff(n: int, *, rng: random.Random | None = None) -> timedelta:
    """Delay before attempt n+1 after n failed ones: 1m, 5m, 15m, 1h, 3h, 6h, 12h, 24h, ±20%."""
    base = BACKOFF[min(max(n, 1), len(BACKOFF)) - 1]
    return timedelta(seconds=base * (1 + (rng or _rng).uniform(-JITTER, JITTER)))


class Deliverer:
    """One non-dry run's delivering: the ledger, the posts, the clock and the report."""

    def __init__(self, ledger: Ledger, report: Any, posts: list[Post], *,
                 now: datetime, sleep: Callable[[float], Any], stop: Any,
                 clock: Callable[[], float], bodies: Mapping[str, Body] | None = None) -> None:
        self.ledger, self.report, self.posts = ledger, report, posts
        self.bodies = bodies or {}  # rendered by the build, by digest
        self.by_id = {p.id: p for p in posts}
        self.start, self.clock, self.sleep, self.stop = now, clock, sleep, stop
        self.t0 = clock()

    def now(self) -> datetime:
        """The run's start time plus the time spent since (so tests with fake clocks are exact)."""
        return self.start + timedelta(seconds=max(0.0, self.clock() - self.t0))

    def stopping(self) -> bool:
        """True once the caller asked to stop (an Event's is_set, or a callable)."""
        if self.stop is None:
            return False
        is_set = getattr(self.stop, "is_set", None)
        return bool(is_set() if is_set else self.stop())

    def deliver(self, pairs: list[tuple[Target, Any]]) -> None:
        """Work through every endpoint's due rows, oldest first, pacing each endpoint."""
        queues: dict[str, deque[Row]] = {}
        ready: dict[str, float] = {}
        where: dict[str, tuple[Target, Any]] = {}
        for target, endpoint in pairs:
            state = self.ledger.endpoint(target.name)
            if state is not None and state.paused:
                self.report.paused[target.name] = state.paused_reason or "paused"
                continue
            rows = self.ledger.due(target.name, now=self.start)
            if rows:
                self._restore_session(target.name, endpoint)
                queues[target.name] = deque(rows)
                ready[target.name] = self.clock()
                where[target.name] = (target, endpoint)
        quick: dict[tuple[str, str], int] = {}
        while queues:
            if self.stopping():
                self.report.stopped = True
                return
            name = min(queues, key=lambda n: ready[n])
            wait = ready[name] - self.clock()
            if wait > 0:
                self.sleep(wait)
                if self.stopping():
                    self.report.stopped = True
                    return
            target, endpoint = where[name]
            row = queues[name][0]
            try:
                action, delay = self._one(target, endpoint, row, quick)
            finally:
                self._save_session(name, endpoint)
            if action == "again":  # quick retry of the same row after `delay`
                queues[name][0] = self.ledger.get(row.post_id, name) or row
                ready[name] = self.clock() + delay
                continue
            if action == "stop":
                del queues[name]
                continue
            queues[name].popleft()
            if not queues[name]:
                del queues[name]
            elif action != "idle":  # a request went out: pace the next one
                ready[name] = self.clock() + target.pace.total_seconds()

    def _restore_session(self, name: str, endpoint: Any) -> None:
        """Reuse a saved login (Bluesky allows few logins a day; never one per post)."""
        restore = getattr(endpoint, "restore_session", None)
        saved = self.ledger.kv_get(f"session:{name}")
        if restore is not None and saved:
            try:
                restore(json.loads(saved))
            except (ValueError, TypeError, KeyError):
                logger.warning("endpoint %s: saved session unreadable; logging in again", name)
        redaction.register(endpoint.secret_values())

    def _save_session(self, name: str, endpoint: Any) -> None:
        redaction.register(endpoint.secret_values())  # new session tokens are secrets too
        state = getattr(endpoint, "session_state", None)
        value = state() if state is not None else None
        if value is not None:
            text = json.dumps(value, sort_keys=True)
            if text != self.ledger.kv_get(f"session:{name}"):
                self.ledger.kv_set(f"session:{name}", text, now=self.now())

    def _one(self, target: Target, endpoint: Any, row: Row,
             quick: dict[tuple[str, str], int]) -> tuple[str, float]:
        """One delivery; returns what to do next with this endpoint's queue."""
        post = self.by_id.get(row.post_id)
        now = self.now()
        if post is None or not post.is_published(now):
            logger.info("crosspost %s -> %s: waiting (the post is not published now)",
                        row.post_id, target.name)
            return "idle", 0.0
        if row.state == "pending" and row.attempts == 0 and now - post.published > target.max_age:
            if self.ledger.skip(row.post_id, target.name, reason=f"older than max_age "
                                f"({duration_text(target.max_age)}) when due", now=now):
                self.report.skipped.append((row.post_id, target.name, "older than max_age when due"))
            return "idle", 0.0
        settle = row.state in ("sending", "unknown")
        if settle and not target.resend_when_unsure:
            return self._unsure(target, row, now)
        try:
            body = self.bodies.get(post.digest) or render_body(post)
            message = endpoint.render(post, body, template=target.template,
                                      own_text=post.syndicate.text_for(target.name))
            fresh_key = endpoint.new_key(now=now)
        except Exception as exc:  # a render bug: nothing was sent now, so try again later
            logger.error("crosspost %s -> %s: cannot render the message", row.post_id,
                         target.name, exc_info=True)
            before = self.ledger.claim(row.post_id, target.name, key=None, now=now)
            if before is None:
                return "idle", 0.0
            error = f"cannot render: {type(exc).__name__}: {exc}"
            if settle:  # an earlier attempt may still have been applied: stay unsure
                return self._failed(target, before, AmbiguousError(error), quick)
            return self._transient(target, before, error, None, quick, now)
        before = self.ledger.claim(row.post_id, target.name, key=fresh_key, now=now)
        if before is None:
            return "idle", 0.0
        _crash_hook("claimed")
        key = before.key or fresh_key
        try:
            if settle:
                receipt = endpoint.settle(post, body, message, key=key, now=now)
                if receipt is None:  # certainly not applied: send it now, same key
                    receipt = endpoint.send(post, body, message, key=key, now=now)
            else:
                receipt = endpoint.send(post, body, message, key=key, now=now)
        except DeliveryError as exc:
            self._save_session(target.name, endpoint)
            _crash_hook("failed")
            return self._failed(target, before, exc, quick)
        except Exception as exc:  # an endpoint bug: never counted as success
            logger.error("crosspost %s -> %s: unexpected error", row.post_id, target.name,
                         exc_info=True)
            self._save_session(target.name, endpoint)
            _crash_hook("failed")
            return self._failed(target, before, AmbiguousError(
                f"unexpected {type(exc).__name__}: {exc}"), quick)
        self._save_session(target.name, endpoint)  # before anything can interrupt us
        _crash_hook("sent")
        if not isinstance(receipt, Receipt):  # never judge success by truthiness
            return self._failed(target, before, AmbiguousError(
                f"endpoint returned {type(receipt).__name__}, not a receipt"), quick)
        done = self.now()
        self.ledger.record_sent(row.post_id, target.name, remote_id=receipt.remote_id,
                                remote_url=receipt.remote_url, now=done)
        _crash_hook("recorded")
        self._log(before, target, "sent", receipt.remote_url or receipt.remote_id or "")
        return "sent", 0.0

    def _unsure(self, target: Target, row: Row, now: datetime) -> tuple[str, float]:
        """An interrupted delivery to an endpoint that must not resend: keep it for a human."""
        error = ("interrupted while sending; not resent, since a missing message beats a "
                 "duplicate (set resend_when_unsure = true to resend, or check and run `retry`)")
        if row.state == "sending":
            self.ledger.record_unknown(row.post_id, target.name, error=error, next_at=None, now=now)
        else:
            self.ledger.hold(row.post_id, target.name, error=error, now=now)
        self._log(row, target, "unknown", error, counted=False)
        return "idle", 0.0

    def _failed(self, target: Target, before: Row, exc: DeliveryError,
                quick: dict[tuple[str, str], int]) -> tuple[str, float]:
        now = self.now()
        text = redaction.redact(exc.message if hasattr(exc, "message") else exc)
        if isinstance(exc, AuthError) or (isinstance(exc, PermanentError) and exc.status == 410):
            why = "credentials rejected" if isinstance(exc, AuthError) else "the endpoint is gone (410)"
            named = any(f"${v}" in text for v in target.secret_env.values())
            fix = "" if named else f"; fix {target.credential()}"
            reason = f"{why}: {text}{fix}; then run `syndicator retry --endpoint {target.name}`"
            self.ledger.pause(target.name, reason, now=now)
            self.report.paused[target.name] = reason
            self.ledger.record_retry(before.post_id, target.name, error=text, next_at=now,
                                     now=now, reset_budget=True)
            logger.error("endpoint %s paused: %s", target.name, reason)
            self._log(before, target, "pending", f"endpoint paused: {text}")
            return "stop", 0.0
        if isinstance(exc, PermanentError):
            self.ledger.record_failed(before.post_id, target.name, error=text, now=now)
            self._log(before, target, "failed", text)
            return "next", 0.0
        if isinstance(exc, TransientError):
            return self._transient(target, before, text, exc.retry_after, quick, now)
        # Ambiguous: settle later by the endpoint's rule, or keep for a human.
        used = before.budget_used + 1
        if not target.resend_when_unsure:
            next_at = None
            text += " (not resent: a missing message beats a duplicate; check, then `retry`)"
        elif self._exhausted(before, used, now):
            next_at = None
            text += f" (gave up settling after {used} attempts)"
        else:
            next_at = now + max(backoff(used), timedelta(seconds=exc.retry_after or 0))
        self.ledger.record_unknown(before.post_id, target.name, error=text, next_at=next_at, now=now)
        self._log(before, target, "unknown", text)
        return "stop", 0.0

    def _transient(self, target: Target, before: Row, text: str, wait: float | None,
                   quick: dict[tuple[str, str], int], now: datetime) -> tuple[str, float]:
        used = before.budget_used + 1
        if self._exhausted(before, used, now):
            text = f"gave up after {used} attempts: {text}"
            self.ledger.record_failed(before.post_id, target.name, error=text, now=now)
            self._log(before, target, "failed", text)
            return "next", 0.0
        slot = (before.post_id, target.name)
        if wait is not None and wait <= QUICK_WAIT_LIMIT and quick.get(slot, 0) < QUICK_RETRIES:
            quick[slot] = quick.get(slot, 0) + 1
            self.ledger.record_retry(before.post_id, target.name, error=text,
                                     next_at=now + timedelta(seconds=wait), now=now)
            self._log(before, target, "pending", f"{text}; retrying in {wait:g} s")
            return "again", wait
        next_at = now + max(backoff(used), timedelta(seconds=wait or 0))
        self.ledger.record_retry(before.post_id, target.name, error=text, next_at=next_at, now=now)
        self._log(before, target, "pending", f"{text}; next attempt {stamp(next_at)}")
        return "stop", 0.0  # the endpoint is struggling: leave its other posts for later

    @staticmethod
    def _exhausted(before: Row, used: int, now: datetime) -> bool:
        began = parse_stamp(before.window_start) or now
        return used >= MAX_ATTEMPTS or now - began >= MAX_WINDOW

    def _log(self, before: Row, target: Target, state: str, detail: str, *,
             counted: bool = True) -> None:
        attempt = before.attempts + (1 if counted else 0)
        self.report.attempts.append(Attempt(before.post_id, target.name, state, attempt, detail))
        level = logging.INFO if state == "sent" else logging.WARNING
        logger.log(level, "crosspost %s -> %s: %s (attempt %d)%s", before.post_id, target.name,
                   state, attempt, f": {detail}" if detail else "")
