"""The ledger's values: a delivery row, an endpoint's state, a planned row, and timestamps as
the ledger stores them (UTC, fixed width, so text order is time order)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import NamedTuple


def stamp(when: datetime) -> str:
    """A datetime as the ledger stores it: UTC, fixed width, so text order is time order."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_stamp(text: str | None) -> datetime | None:
    """The inverse of `stamp()`."""
    if text is None:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Row:
    """One delivery as stored."""

    post_id: str
    endpoint: str
    state: str
    reason: str | None
    published: str
    attempts: int
    budget_base: int
    window_start: str | None
    next_attempt_at: str | None
    key: str | None
    remote_id: str | None
    remote_url: str | None
    last_error: str | None
    created_at: str
    updated_at: str
    sent_at: str | None

    @property
    def budget_used(self) -> int:
        """Attempts counted against the current retry budget."""
        return self.attempts - self.budget_base


@dataclass(frozen=True)
class EndpointState:
    """The ledger's memory of one endpoint: when it was first seen and whether it is paused."""

    name: str
    first_seen: str
    paused: bool
    paused_reason: str | None
    paused_at: str | None


@dataclass(frozen=True)
class Plan:
    """One row to create: state `pending` (with when it is due) or `skipped` (with why)."""

    post_id: str
    published: datetime
    state: str
    reason: str | None = None
    due: datetime | None = None


class Requeued(NamedTuple):
    """What `retry` did: failed rows queued to resend, unknown rows queued to be settled first
    (by the endpoint's rule), unknown rows forced back to pending, unknown rows kept because
    their endpoint has no way to check (chat webhooks, Micropub: only --force resends them)."""

    resend: int
    settle: int
    forced: int
    held: int

    @property
    def total(self) -> int:
        """Rows that will be worked on by the next run."""
        return self.resend + self.settle + self.forced
