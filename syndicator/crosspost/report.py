"""What a cross-posting run hands back: each delivery's outcome, the previews of a dry run,
what was skipped and why, paused endpoints. Plain data; the runner fills it in."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple


class Outcome(enum.StrEnum):
    """Where one attempt left its delivery (the ledger state it wrote)."""

    SENT = "sent"
    RETRY = "pending"  # definitely not applied: tried again later (or paused endpoint)
    FAILED = "failed"
    UNKNOWN = "unknown"  # may have been applied: settled by the endpoint's rule


class Action(enum.StrEnum):
    """What a dry run says a real run would do with one delivery."""

    SEND = "send"
    WAIT = "wait"
    SKIP = "skip"
    SETTLE = "settle"
    PAUSED = "paused"
    ERROR = "error"


@dataclass(frozen=True)
class Attempt:
    """One delivery attempt (or settlement) and where it left the row."""

    post_id: str
    endpoint: str
    state: Outcome
    attempt: int
    detail: str = ""  # remote URL or the redacted error


class Skip(NamedTuple):
    """A post an endpoint does not get (or not yet), and why."""

    post_id: str
    endpoint: str
    why: str


@dataclass(frozen=True)
class Preview:
    """Dry run: what would be sent (message) or why not (reason)."""

    post_id: str
    endpoint: str
    title: str
    action: Action
    reason: str = ""
    text: str = ""
    length: int | None = None
    limit: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()


@dataclass
class CrosspostReport:
    """What one run did (or, dry, would do)."""

    dry_run: bool = False
    planned: int = 0  # rows created as pending
    skipped: list[Skip] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    paused: dict[str, str] = field(default_factory=dict)  # endpoint -> reason
    notes: list[str] = field(default_factory=list)
    previews: list[Preview] = field(default_factory=list)
    stopped: bool = False

    def count(self, state: Outcome | str) -> int:
        """Attempts that ended in `state`."""
        return sum(1 for a in self.attempts if a.state == state)

    def ok(self) -> bool:
        """True when nothing needs a human: no pause, nothing failed, nothing unknown."""
        return not (self.paused or self.count(Outcome.FAILED) or self.count(Outcome.UNKNOWN))

    def summary(self) -> str:
        """One line for logs."""
        if self.dry_run:
            sends = sum(1 for p in self.previews if p.action in (Action.SEND, Action.SETTLE))
            return f"dry run: {sends} would be sent, {len(self.skipped)} would be skipped"
        parts = [f"{self.count(Outcome.SENT)} sent", f"{self.count(Outcome.RETRY)} to retry",
                 f"{self.count(Outcome.FAILED)} failed", f"{self.count(Outcome.UNKNOWN)} unknown",
                 f"{self.planned} newly queued", f"{len(self.skipped)} skipped"]
        if self.paused:
            parts.append("paused: " + ", ".join(sorted(self.paused)))
        if self.stopped:
            parts.append("stopped early")
        return ", ".join(parts)
