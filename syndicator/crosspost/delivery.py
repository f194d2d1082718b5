"""Delivering what the plan put in the ledger: claim -> send -> record, one endpoint queue each.

The rules (../shared/design/crosspost.md): claim the row and store its key, commit, then send,
then record. Oldest first, paced per endpoint. How each outcome is recorded lives in
outcomes.py; this module walks the queues and makes one attempt at a time:
- a Receipt -> sent (anything else, even a truthy value, is not success);
- a DeliveryError -> recorded by its class (outcomes.py);
- a ConfigError raised before anything was sent -> the endpoint is paused, the delivery kept;
- any other exception -> unknown (an endpoint bug may have struck after sending).
A row left in `sending` by a crash is settled the same way on the next run.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Mapping

from ..endpoints.base import Endpoint, Message, Receipt
from ..errors import AmbiguousError, ConfigError, DeliveryError, TooLongError
from ..model import Body, Post
from ..posts.content import render_body
from ..redact import one_line, redact
from .ledger import Ledger, Row
from .outcomes import Next, Recorder, Step
from .policy import duration_text
from .report import CrosspostReport, Skip
from .sessions import SessionStore

logger = logging.getLogger(__name__)

Stop = threading.Event | Callable[[], bool] | None


@dataclass(frozen=True)
class _Ready:
    """A delivery rendered and claimed: what to send, with which key."""

    post: Post
    body: Body
    message: Message
    before: Row
    key: str
    settle: bool


class Deliverer:
    """One non-dry run's delivering: the ledger, the posts, the clock and the report."""

    def __init__(self, ledger: Ledger, report: CrosspostReport, posts: list[Post], *,
                 now: datetime, sleep: Callable[[float], object], stop: Stop,
                 clock: Callable[[], float], bodies: Mapping[str, Body] | None = None) -> None:
        self.ledger, self.report = ledger, report
        self.bodies = bodies or {}  # rendered by the build, by digest
        self.by_id = {p.id: p for p in posts}
        self.start, self.clock, self.sleep, self.stop = now, clock, sleep, stop
        self.t0 = clock()
        self.sessions = SessionStore(ledger)
        self.record = Recorder(ledger, report, self.now)

    def now(self) -> datetime:
        """The run's start time plus the time spent since (so tests with fake clocks are exact)."""
        return self.start + timedelta(seconds=max(0.0, self.clock() - self.t0))

    def stopping(self) -> bool:
        """True once the caller asked to stop (an Event's is_set, or a callable)."""
        if self.stop is None:
            return False
        return self.stop.is_set() if isinstance(self.stop, threading.Event) else bool(self.stop())

    def deliver(self, endpoints: list[Endpoint]) -> None:
        """Work through every endpoint's due rows, oldest first, pacing each endpoint."""
        queues = self._queues(endpoints)
        ready = {name: self.clock() for name in queues}
        by_name = {e.name: e for e in endpoints}
        quick: dict[tuple[str, str], int] = {}
        while queues:
            name = min(queues, key=lambda n: ready[n])
            if not self._wait_until(ready[name]):
                self.report.stopped = True
                return
            endpoint, row = by_name[name], queues[name][0]
            try:
                step = self._one(endpoint, row, quick)
            finally:
                self.sessions.save(endpoint, now=self.now())
            if step.step is Step.AGAIN:  # quick retry of the same row after `delay`
                queues[name][0] = self.ledger.get(row.post_id, name) or row
                ready[name] = self.clock() + step.delay
                continue
            if step.step is not Step.STOP:
                queues[name].popleft()
            if step.step is Step.STOP or not queues[name]:
                del queues[name]
            elif step.step is not Step.IDLE:  # a request went out: pace the next one
                ready[name] = self.clock() + endpoint.settings.pace.total_seconds()

    def _wait_until(self, when: float) -> bool:
        """Sleep until `when` (the endpoint's pace); False when asked to stop meanwhile."""
        if self.stopping():
            return False
        if when > self.clock():
            self.sleep(when - self.clock())
            return not self.stopping()
        return True

    def _queues(self, endpoints: list[Endpoint]) -> dict[str, deque[Row]]:
        """Each endpoint's due rows; paused endpoints are reported, not queued."""
        queues: dict[str, deque[Row]] = {}
        for endpoint in endpoints:
            state = self.ledger.endpoint(endpoint.name)
            if state is not None and state.paused:
                self.report.paused[endpoint.name] = state.paused_reason or "paused"
                continue
            rows = self.ledger.due(endpoint.name, now=self.start)
            if rows:
                self.sessions.restore(endpoint, now=self.start)  # Bluesky allows few logins: never one per post
                queues[endpoint.name] = deque(rows)
        return queues

    def _one(self, endpoint: Endpoint, row: Row, quick: dict[tuple[str, str], int]) -> Next:
        """One delivery; returns what to do next with this endpoint's queue."""
        post = self._eligible(endpoint, row)
        if post is None:
            return Next(Step.IDLE)
        settle = row.state in ("sending", "unknown")
        if settle and not endpoint.resend_when_unsure:
            self.record.unsure(endpoint, row, now=self.now())
            return Next(Step.IDLE)
        ready = self._prepare(endpoint, row, post, settle, quick)
        if not isinstance(ready, _Ready):
            return ready
        try:
            receipt = self._send_or_refit(endpoint, ready)
        except ConfigError as exc:  # raised before anything was sent: fix the config first
            return self.record.misconfigured(endpoint, ready.before, self._said(endpoint, exc),
                                             settling=ready.settle)
        except DeliveryError as exc:
            return self.record.failed(endpoint, ready.before, exc, quick, self._said(endpoint, exc))
        except Exception as exc:  # an endpoint bug: never counted as success
            text = self._bug(endpoint, row, exc)
            return self.record.failed(endpoint, ready.before, AmbiguousError(text), quick, text)
        if not isinstance(receipt, Receipt):  # never judge success by truthiness
            text = f"endpoint returned {type(receipt).__name__}, not a receipt"
            return self.record.failed(endpoint, ready.before, AmbiguousError(text), quick, text)
        self.sessions.save(endpoint, now=self.now())  # before anything can interrupt us
        return self.record.sent(endpoint, ready.before, receipt)

    def _eligible(self, endpoint: Endpoint, row: Row) -> Post | None:
        """The row's post, if it may go out now (a pending row past max_age is skipped)."""
        post = self.by_id.get(row.post_id)
        now = self.now()
        if post is None or not post.is_published(now):
            logger.info("crosspost %s -> %s: waiting (the post is not published now)",
                        row.post_id, endpoint.name)
            return None
        max_age = endpoint.settings.max_age
        if row.state == "pending" and row.attempts == 0 and now - post.published > max_age:
            why = f"older than max_age ({duration_text(max_age)}) when due"
            if self.ledger.skip(row.post_id, endpoint.name, reason=why, now=now):
                self.report.skipped.append(Skip(row.post_id, endpoint.name, why))
            return None
        return post

    def _prepare(self, endpoint: Endpoint, row: Row, post: Post, settle: bool,
                 quick: dict[tuple[str, str], int]) -> _Ready | Next:
        """Render the message and claim the row with a key (committed before any traffic)."""
        now = self.now()
        try:
            body = self.bodies.get(post.digest) or render_body(post)
            message = endpoint.render(post, body, template=endpoint.settings.template,
                                      own_text=post.syndicate.text_for(endpoint.name))
            fresh_key = endpoint.new_key(now=now)
        except Exception as exc:  # a render bug: nothing was sent now, so try again later
            text = self._bug(endpoint, row, exc, doing="cannot render the message")
            before = self.ledger.claim(row.post_id, endpoint.name, key=None, now=now)
            if before is None:
                return Next(Step.IDLE)
            if settle:  # an earlier attempt may still have been applied: stay unsure
                return self.record.failed(endpoint, before, AmbiguousError(text), quick, text)
            return self.record.transient(endpoint, before, text, None, quick)
        before = self.ledger.claim(row.post_id, endpoint.name, key=fresh_key, now=now)
        if before is None:
            return Next(Step.IDLE)
        return _Ready(post, body, message, before, before.key or fresh_key, settle)

    def _send(self, endpoint: Endpoint, ready: _Ready) -> Receipt | None:
        """Send, or settle first when an earlier attempt may have been applied."""
        now = self.now()
        args = (ready.post, ready.body, ready.message)
        if ready.settle:
            receipt = endpoint.settle(*args, key=ready.key, now=now)
            if receipt is not None:
                return receipt
        # certainly not applied (or never tried): send it now, same key
        return endpoint.send(*args, key=ready.key, now=now)

    def _send_or_refit(self, endpoint: Endpoint, ready: _Ready) -> Receipt | None:
        """Send; if the platform counts the text over its limit, refit once with a margin and
        resend with the same key (the refused attempt stored nothing). A second refusal fails."""
        try:
            return self._send(endpoint, ready)
        except TooLongError as exc:
            post = ready.post
            message = endpoint.refit(post, ready.body, template=endpoint.settings.template,
                                     own_text=post.syndicate.text_for(endpoint.name))
            if message is None:
                raise
            logger.warning("crosspost %s -> %s: %s; refitted to %d of %s, resending with the "
                           "same key", post.id, endpoint.name,
                           redact(exc.message, endpoint.secret_values()), message.length,
                           message.limit)
            return endpoint.send(post, ready.body, message, key=ready.key, now=self.now())

    def _bug(self, endpoint: Endpoint, row: Row, exc: Exception, *,
             doing: str = "unexpected error") -> str:
        """Log an unexpected exception with its traceback, both redacted; return its text."""
        secrets = self._secrets(endpoint)
        trace = redact("".join(traceback.format_exception(exc)).rstrip(), secrets)
        logger.error("crosspost %s -> %s: %s\n%s", row.post_id, endpoint.name, doing, trace)
        said = f"cannot render: {type(exc).__name__}" if doing != "unexpected error" \
            else f"unexpected {type(exc).__name__}"
        return one_line(redact(f"{said}: {exc}", secrets), limit=600)

    @staticmethod
    def _said(endpoint: Endpoint, exc: Exception) -> str:
        """An error's text for the ledger and the logs: redacted, one line, at most 600 long."""
        return one_line(redact(getattr(exc, "message", exc), endpoint.secret_values()), limit=600)

    @staticmethod
    def _secrets(endpoint: Endpoint) -> tuple[str, ...]:
        return endpoint.secret_values()
