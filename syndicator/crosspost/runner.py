"""Cross-posting: plan -> claim -> send -> record, one ledger row per (post, endpoint).

The delivery rules are those of ../shared/design/crosspost.md:
- First run, and every endpoint added later: posts that already exist are recorded `skipped`,
  nothing is sent; `backfill`/`since` opt in. Never older than max_age; wait min_age; drafts and
  future posts wait; `syndicate:` front matter is honoured; edits never re-send.
- Claim and store the key, commit, then send, then record. Oldest first, paced per endpoint.
- Outcomes: receipt -> sent; TransientError -> up to two quick retries when the platform says
  to wait at most 60 s, else backoff with jitter (1m ... 24h), at most 8 attempts or 48 h, then
  failed; PermanentError -> failed; AuthError (and 410 Gone) -> endpoint paused, the delivery
  kept; AmbiguousError or an unexpected exception -> unknown, settled by the endpoint's rule
  (chat webhooks do not resend unless `resend_when_unsure = true`).
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import requests

from .. import redact as redaction
from ..config import Config
from ..errors import ConfigError, LedgerError
from ..model import Body, Post
from .delivery import Attempt, Deliverer, backoff, duration_text  # noqa: F401 (re-exported)
from .ledger import Ledger, Plan, Row, open_ledger
from .targets import Settings, Target, parse

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Preview:
    """Dry run: what would be sent (message) or why not (reason)."""

    post_id: str
    endpoint: str
    title: str
    action: str  # "send", "wait", "skip", "settle", "paused"
    reason: str = ""
    text: str = ""
    length: int | None = None
    limit: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()


@dataclass
class CrosspostReport:
    """What one run did (or, dry, would do)."""

    dry_run: bool = False
    planned: int = 0  # rows created as pending
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (post, endpoint, why)
    attempts: list[Attempt] = field(default_factory=list)
    paused: dict[str, str] = field(default_factory=dict)  # endpoint -> reason
    notes: list[str] = field(default_factory=list)
    previews: list[Preview] = field(default_factory=list)
    stopped: bool = False

    def count(self, state: str) -> int:
        """Attempts that ended in `state`."""
        return sum(1 for a in self.attempts if a.state == state)

    def summary(self) -> str:
        """One line for logs."""
        if self.dry_run:
            sends = sum(1 for p in self.previews if p.action in ("send", "settle"))
            return f"dry run: {sends} would be sent, {len(self.skipped)} would be skipped"
        parts = [f"{self.count('sent')} sent", f"{self.count('pending')} to retry",
                 f"{self.count('failed')} failed", f"{self.count('unknown')} unknown",
                 f"{self.planned} newly queued", f"{len(self.skipped)} skipped"]
        if self.paused:
            parts.append("paused: " + ", ".join(sorted(self.paused)))
        if self.stopped:
            parts.append("stopped early")
        return ", ".join(parts)


# -- configuration ----------------------------------------------------------------------------


def check_config(config: Config, *, secrets: bool = True) -> Settings:
    """Check [crosspost] and [[endpoints]] (and, by default, that every secret is available)."""
    settings = parse(config, secrets="required" if secrets else "skip")
    with requests.Session() as session:  # building an endpoint checks its options; no traffic
        for target in settings.targets:
            target.build(session)
    return settings


# -- planning ---------------------------------------------------------------------------------


def plan_target(target: Target, posts: Sequence[Post], *, known: set[str], first_seen: bool,
                now: datetime, backfill: int | None = None,
                since: datetime | None = None) -> tuple[list[Plan], list[tuple[str, str]]]:
    """New ledger rows for one endpoint, and posts left without a row (with why).

    `first_seen`: the endpoint is new, so what exists is the baseline (skipped) unless picked
    by backfill (the N newest) or since (published at or after it).
    """
    plans: list[Plan] = []
    waiting: list[tuple[str, str]] = []
    published = [p for p in posts if p.is_published(now) and p.id not in known]
    picked: set[str] = set()
    if first_seen:
        allowed = [p for p in published if p.syndicate.allows(target.name)]
        if backfill:
            picked |= {p.id for p in sorted(allowed, key=_order)[-backfill:]}
        if since is not None:
            picked |= {p.id for p in allowed if p.published >= since}
    for post in sorted(published, key=_order):
        if first_seen and post.id not in picked:
            plans.append(Plan(post.id, post.published, "skipped",
                              "existed before the endpoint was added (opt in with --backfill "
                              "or --since)"))
        elif now - post.published > target.max_age:
            plans.append(Plan(post.id, post.published, "skipped",
                              f"older than max_age ({duration_text(target.max_age)})"))
        elif not post.syndicate.enabled:
            waiting.append((post.id, "syndicate: false in front matter"))
        elif not post.syndicate.allows(target.name):
            waiting.append((post.id, f"front matter skips '{target.name}'"))
        else:
            due = now if post.id in picked else now + target.min_age
            plans.append(Plan(post.id, post.published, "pending", due=due))
    return plans, waiting


def _order(post: Post) -> tuple[datetime, str]:
    return (post.published, post.id)


# -- the run ----------------------------------------------------------------------------------


def run(config: Config, posts: Iterable[Post], *, now: datetime, session: requests.Session | None = None,
        dry_run: bool = False, endpoint: str | None = None, backfill: int | None = None,
        since: datetime | None = None, sleep: Callable[[float], Any] = time.sleep,
        stop: Any = None, clock: Callable[[], float] = time.monotonic,
        bodies: Mapping[str, Body] | None = None) -> CrosspostReport:
    """Plan and deliver what is due. `stop` (an Event or a callable) is checked between
    deliveries; `sleep` and `clock` are injectable so tests never wait. `bodies` (by digest,
    from the build report) are used instead of rendering those posts' bodies again."""
    settings = parse(config, secrets="lenient" if dry_run else "required")
    redaction.register(settings.secret_values())
    redaction.install()
    targets = _select(settings, endpoint)
    posts = list(posts)
    report = CrosspostReport(dry_run=dry_run)
    if not targets:
        report.notes.append("no enabled [[endpoints]] in the config: nothing to do")
        return report
    if session is None:
        session = requests.Session()
        from .. import __version__

        session.headers["User-Agent"] = f"syndicator/{__version__}"
    if dry_run:
        with _maybe(open_ledger(settings.ledger, readonly=True)) as ledger:
            from .preview import preview  # the dry run lives beside, touching nothing

            preview(report, targets, posts, ledger, session=session, now=now,
                    backfill=backfill, since=since)
        return report
    pairs = [(t, t.build(session)) for t in targets]  # option errors stop us before any write
    with _RunLock(settings.ledger), open_ledger(settings.ledger) as ledger:
        for target in targets:
            _plan(ledger, report, target, posts, now=now, backfill=backfill, since=since)
        deliverer = Deliverer(ledger, report, posts, now=now, sleep=sleep, stop=stop, clock=clock,
                              bodies=bodies)
        deliverer.deliver(pairs)
    return report


def _select(settings: Settings, name: str | None) -> list[Target]:
    if name is None:
        return [t for t in settings.targets if t.enabled]
    target = settings.target(name)
    if not target.enabled:
        raise ConfigError(f"endpoint '{name}' is disabled (enabled = false in its [[endpoints]] table)")
    return [target]


class _maybe:
    """`with` for a value that may be None (no ledger yet)."""

    def __init__(self, ledger: Ledger | None) -> None:
        self.ledger = ledger

    def __enter__(self) -> Ledger | None:
        return self.ledger

    def __exit__(self, *exc: object) -> None:
        if self.ledger is not None:
            self.ledger.close()


class _RunLock:
    """One crosspost run per ledger at a time (a daemon tick and a manual run may overlap).

    An flock is released by the kernel when the holder dies, so a SIGKILL leaves no stale lock.
    """

    def __init__(self, ledger: Path) -> None:
        self.path = Path(f"{ledger}.lock")
        self.fd = -1

    def __enter__(self) -> "_RunLock":
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise LedgerError(f"another crosspost run is using {self.path.parent}; "
                              "try again when it has finished") from None
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def _plan(ledger: Ledger, report: CrosspostReport, target: Target, posts: list[Post], *,
          now: datetime, backfill: int | None, since: datetime | None) -> None:
    """Create the rows this endpoint needs (a baseline if it is new)."""
    state = ledger.endpoint(target.name)
    if state is not None and (backfill or since):
        report.notes.append(f"--backfill/--since apply to new endpoints only; "
                            f"'{target.name}' was first seen {state.first_seen}")
    plans, _ = plan_target(target, posts, known=ledger.known(target.name),
                           first_seen=state is None, now=now, backfill=backfill, since=since)
    ledger.plan(target.name, plans, now=now)
    for p in plans:
        if p.state == "skipped":
            report.skipped.append((p.post_id, target.name, p.reason or ""))
        else:
            report.planned += 1
    if state is None:
        logger.info("endpoint %s: first seen; %d existing post(s) recorded as skipped, "
                    "%d queued", target.name, sum(p.state == "skipped" for p in plans),
                    sum(p.state == "pending" for p in plans))



# -- status and retry -------------------------------------------------------------------------


def status(config: Config, *, recent: int = 10) -> dict[str, Any]:
    """Per endpoint: counts by state, paused or not; the latest deliveries; failures."""
    settings = parse(config, secrets="skip")
    out: dict[str, Any] = {"ledger": str(settings.ledger), "exists": False, "endpoints": [],
                           "recent": [], "problems": [], "retrying": []}
    with _maybe(open_ledger(settings.ledger, readonly=True)) as ledger:
        counts = ledger.counts() if ledger else {}
        seen = {e.name: e for e in ledger.endpoints()} if ledger else {}
        out["exists"] = ledger is not None
        names = [t.name for t in settings.targets] + sorted(set(seen) - {t.name for t in settings.targets})
        kinds = {t.name: t for t in settings.targets}
        for name in names:
            state, target = seen.get(name), kinds.get(name)
            out["endpoints"].append({
                "name": name, "type": target.kind if target else None,
                "configured": target is not None, "enabled": bool(target and target.enabled),
                "first_seen": state.first_seen if state else None,
                "paused": bool(state and state.paused),
                "paused_reason": state.paused_reason if state else None,
                "counts": {s: counts.get(name, {}).get(s, 0) for s in
                           ("pending", "sending", "sent", "failed", "unknown", "skipped")},
            })
        if ledger:
            out["recent"] = [_row(r) for r in ledger.rows(states=["sent"], order="sent_at DESC",
                                                          limit=recent)]
            out["problems"] = [_row(r) for r in ledger.rows(states=["failed", "unknown"],
                                                            order="updated_at DESC")]
            out["retrying"] = [_row(r) for r in ledger.rows(states=["pending", "sending"])
                               if r.attempts > 0]
    return out


def _row(r: Row) -> dict[str, Any]:
    return {"post_id": r.post_id, "endpoint": r.endpoint, "state": r.state,
            "attempts": r.attempts, "remote_url": r.remote_url, "sent_at": r.sent_at,
            "last_error": redaction.redact(r.last_error) if r.last_error else None,
            "next_attempt_at": r.next_attempt_at, "updated_at": r.updated_at}


def retry(config: Config, *, endpoint: str | None = None, post_id: str | None = None,
          now: datetime | None = None) -> int:
    """Re-queue failed and unknown deliveries (and resume paused endpoints); returns how many."""
    from datetime import timezone

    settings = parse(config, secrets="skip")
    now = now or datetime.now(timezone.utc)
    if not settings.ledger.exists():
        if endpoint is not None:
            settings.target(endpoint)  # a ConfigError with a suggestion if it is a typo
        return 0
    with open_ledger(settings.ledger) as ledger:
        if endpoint is not None and ledger.endpoint(endpoint) is None:
            settings.target(endpoint)
        if post_id is None or endpoint is not None:
            for name in ([endpoint] if endpoint else [e.name for e in ledger.endpoints()]):
                if ledger.unpause(name):
                    logger.info("endpoint %s resumed", name)
        return ledger.requeue(endpoint=endpoint, post_id=post_id, now=now)
