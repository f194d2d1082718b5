"""Recording one attempt's outcome in the ledger and the report, by the class of what happened:
- a Receipt -> sent;
- TransientError -> up to two quick retries when the platform asks to wait at most 60 s,
  else backoff with jitter (1m ... 24h), at most 8 attempts or 48 h, then failed; the
  endpoint's other posts wait for the next run;
- PermanentError -> failed, no automatic retry; AuthError (and 410 Gone) -> the endpoint is
  paused with a message naming the credential (from the endpoint), the delivery kept and its
  budget not burned;
- AmbiguousError -> unknown, settled later by the endpoint's rule, or kept for a human when
  the kind must not resend (chat webhooks).
"""

from __future__ import annotations

import enum
import logging
from datetime import datetime, timedelta
from typing import Callable, NamedTuple

from ..endpoints.base import Endpoint, Receipt
from ..errors import AuthError, DeliveryError, PermanentError, TransientError
from .ledger import Ledger, Row, stamp
from .policy import QUICK_RETRIES, QUICK_WAIT_LIMIT, backoff, exhausted
from .report import Attempt, CrosspostReport, Outcome

logger = logging.getLogger(__name__)


class Step(enum.Enum):
    """What the delivery loop does next with an endpoint's queue."""

    NEXT = "next"  # a request went out: pace, then the next row
    IDLE = "idle"  # nothing was sent: the next row at once
    AGAIN = "again"  # the same row after a short wait (a quick retry)
    STOP = "stop"  # leave this endpoint's other rows for a later run


class Next(NamedTuple):
    """A Step and, for AGAIN, the seconds to wait."""

    step: Step
    delay: float = 0.0


class Recorder:
    """Writes outcomes to the ledger and the report, and logs them."""

    def __init__(self, ledger: Ledger, report: CrosspostReport, now: Callable[[], datetime]) -> None:
        self.ledger, self.report, self.now = ledger, report, now

    def sent(self, endpoint: Endpoint, before: Row, receipt: Receipt) -> Next:
        """The platform accepted the post: final."""
        self.ledger.record_sent(before.post_id, endpoint.name, remote_id=receipt.remote_id,
                                remote_url=receipt.remote_url, now=self.now())
        self._log(before, endpoint, Outcome.SENT, receipt.remote_url or receipt.remote_id or "")
        return Next(Step.NEXT)

    def failed(self, endpoint: Endpoint, before: Row, exc: DeliveryError,
               quick: dict[tuple[str, str], int], text: str) -> Next:
        """A DeliveryError (`text`: its redacted message), recorded by its class."""
        if isinstance(exc, AuthError) or (isinstance(exc, PermanentError) and exc.status == 410):
            why = "credentials rejected" if isinstance(exc, AuthError) else "the endpoint is gone (410)"
            return self._pause(endpoint, before, f"{why}: {text}; fix {endpoint.credential_hint()}",
                               text)
        if isinstance(exc, PermanentError):
            self.ledger.record_failed(before.post_id, endpoint.name, error=text, now=self.now())
            self._log(before, endpoint, Outcome.FAILED, text)
            return Next(Step.NEXT)
        if isinstance(exc, TransientError):
            return self.transient(endpoint, before, text, exc.retry_after, quick)
        return self._ambiguous(endpoint, before, text, exc.retry_after)

    def misconfigured(self, endpoint: Endpoint, before: Row, text: str, *, settling: bool) -> Next:
        """A ConfigError raised before anything was sent: pause the endpoint, keep the row as it
        was (an interrupted earlier attempt stays to be settled, never becomes a fresh send)."""
        if settling:
            now = self.now()
            self.ledger.record_unknown(before.post_id, endpoint.name, error=text, next_at=now, now=now)
            return self._pause(endpoint, before, f"configuration problem: {text}", text, keep=True)
        return self._pause(endpoint, before, f"configuration problem: {text}", text)

    def _pause(self, endpoint: Endpoint, before: Row, reason: str, text: str, *,
               keep: bool = False) -> Next:
        now = self.now()
        reason = f"{reason}; then run `syndicator retry --endpoint {endpoint.name}`"
        self.ledger.pause(endpoint.name, reason, now=now)
        self.report.paused[endpoint.name] = reason
        if not keep:
            self.ledger.record_retry(before.post_id, endpoint.name, error=text, next_at=now,
                                     now=now, reset_budget=True)
        logger.error("endpoint %s paused: %s", endpoint.name, reason)
        self._log(before, endpoint, Outcome.UNKNOWN if keep else Outcome.RETRY,
                  f"endpoint paused: {text}")
        return Next(Step.STOP)

    def _ambiguous(self, endpoint: Endpoint, before: Row, text: str, wait: float | None) -> Next:
        """Settle later by the endpoint's rule, or keep for a human."""
        now = self.now()
        used = before.budget_used + 1
        if not endpoint.resend_when_unsure:
            next_at = None
            text += " (not resent: a missing message beats a duplicate; check, then `retry`)"
        elif exhausted(before, used, now):
            next_at = None
            text += f" (gave up settling after {used} attempts)"
        else:
            next_at = now + max(backoff(used), timedelta(seconds=wait or 0))
        self.ledger.record_unknown(before.post_id, endpoint.name, error=text, next_at=next_at, now=now)
        self._log(before, endpoint, Outcome.UNKNOWN, text)
        return Next(Step.STOP)

    def transient(self, endpoint: Endpoint, before: Row, text: str, wait: float | None,
                  quick: dict[tuple[str, str], int]) -> Next:
        """Definitely not applied: a quick retry, a later one, or (budget spent) failed."""
        now = self.now()
        used = before.budget_used + 1
        if exhausted(before, used, now):
            text = f"gave up after {used} attempts: {text}"
            self.ledger.record_failed(before.post_id, endpoint.name, error=text, now=now)
            self._log(before, endpoint, Outcome.FAILED, text)
            return Next(Step.NEXT)
        slot = (before.post_id, endpoint.name)
        if wait is not None and wait <= QUICK_WAIT_LIMIT and quick.get(slot, 0) < QUICK_RETRIES:
            quick[slot] = quick.get(slot, 0) + 1
            self.ledger.record_retry(before.post_id, endpoint.name, error=text,
                                     next_at=now + timedelta(seconds=wait), now=now)
            self._log(before, endpoint, Outcome.RETRY, f"{text}; retrying in {wait:g} s")
            return Next(Step.AGAIN, wait)
        next_at = now + max(backoff(used), timedelta(seconds=wait or 0))
        self.ledger.record_retry(before.post_id, endpoint.name, error=text, next_at=next_at, now=now)
        self._log(before, endpoint, Outcome.RETRY, f"{text}; next attempt {stamp(next_at)}")
        return Next(Step.STOP)  # the endpoint is struggling: leave its other posts for later

    def unsure(self, endpoint: Endpoint, row: Row, *, now: datetime) -> None:
        """An interrupted delivery to an endpoint that must not resend: keep it for a human."""
        error = ("interrupted while sending; not resent, since a missing message beats a "
                 "duplicate (set resend_when_unsure = true to resend, or check and run `retry`)")
        if row.state == "sending":
            self.ledger.record_unknown(row.post_id, endpoint.name, error=error, next_at=None, now=now)
        else:
            self.ledger.hold(row.post_id, endpoint.name, error=error, now=now)
        self._log(row, endpoint, Outcome.UNKNOWN, error, counted=False)

    def _log(self, before: Row, endpoint: Endpoint, state: Outcome, detail: str, *,
             counted: bool = True) -> None:
        attempt = before.attempts + (1 if counted else 0)
        self.report.attempts.append(Attempt(before.post_id, endpoint.name, state, attempt, detail))
        level = logging.INFO if state is Outcome.SENT else logging.WARNING
        logger.log(level, "crosspost %s -> %s: %s (attempt %d)%s", before.post_id, endpoint.name,
                   state.value, attempt, f": {detail}" if detail else "")
