"""Cross-posting from feed sources: poll each due source, then deliver what is due for its
entries through the crosspost Deliverer (same ledger, claim-before-send, keys, backoff, pause
and `unknown` rules as the posts folder).

One run holds the crosspost run lock for its whole length, so a daemon tick and a manual run
never settle each other's `sending` rows. A source that fails never stops the others.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

import requests

from ..config import Config
from ..crosspost.delivery import Deliverer
from ..crosspost.ledger import Ledger, open_ledger, parse_stamp
from ..crosspost.report import CrosspostReport
from ..crosspost.runner import _RunLock
from ..crosspost.secrets import SecretMode
from ..crosspost.targets import build_endpoints
from ..errors import ConfigError, LedgerError
from ..model import Post
from ..redact import redact
from ..sources_settings import SourceSettings, find
from . import store
from .entry import Entry, to_post
from .fetch import new_session
from .poll import PollResult, begin, complete, record_unchanged
from .store import SourceState

logger = logging.getLogger(__name__)


@dataclass
class SourcesReport:
    """What one sources run did: each poll, and the deliveries (a CrosspostReport)."""

    polls: list[PollResult] = field(default_factory=list)
    delivery: CrosspostReport = field(default_factory=CrosspostReport)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for logs."""
        new = sum(p.count("queued") for p in self.polls)
        held = sum(p.count("held") for p in self.polls)
        failed = sum(p.outcome in ("failed", "gone") for p in self.polls)
        polled = sum(p.outcome not in ("not due", "disabled") for p in self.polls)
        return (f"sources: {polled} polled, {new} new, {held} held, {failed} failed; "
                f"{self.delivery.summary()}")


Stop = threading.Event | Callable[[], bool] | None


def run(config: Config, *, now: datetime, only: str | None = None, force: bool = False,
        backfill: int | None = None, session: requests.Session | None = None,
        sleep: Callable[[float], object] = time.sleep, stop: Stop = None,
        clock: Callable[[], float] = time.monotonic) -> SourcesReport:
    """Poll the due sources (`only`: that one, now) and deliver their due entries."""
    chosen = [find(config.sources, only, file=config.path.name)] if only else \
        [s for s in config.sources if s.enabled]
    report = SourcesReport()
    if not chosen:
        report.notes.append("no enabled [[sources]] in the config: nothing to poll")
        return report
    fetcher = session or new_session()
    with _RunLock(config.crosspost.ledger), open_ledger(config.crosspost.ledger) as ledger, \
            _endpoint_session() as posting:
        report.polls = _poll_all(ledger, chosen, config, fetcher, now=now,
                                 force=force or only is not None, backfill=backfill)
        for source in chosen:
            _deliver(ledger, source, config, report, posting, now=now, sleep=sleep,
                     stop=stop, clock=clock)
    return report


def _poll_all(ledger: Ledger, chosen: list[SourceSettings], config: Config,
              session: requests.Session, *, now: datetime, force: bool,
              backfill: int | None) -> list[PollResult]:
    """Poll every due source: the intents in one commit, then each fetch, each change in its
    own commit, and the plain 304s together (so 1,000 quiet feeds cost two commits)."""
    with ledger.transaction():
        begun = [(s, begin(ledger, s, now=now, force=force)) for s in chosen]
    results: list[PollResult] = []
    unchanged: list[str] = []
    for source, state in begun:
        if isinstance(state, PollResult):
            results.append(state)
            continue
        results.append(_complete_one(ledger, source, state, config, session, now=now,
                                     backfill=backfill, unchanged=unchanged))
    record_unchanged(ledger, unchanged, now=now)
    return results


def _complete_one(ledger: Ledger, source: SourceSettings, state: SourceState, config: Config,
                  session: requests.Session, *, now: datetime, backfill: int | None,
                  unchanged: list[str]) -> PollResult:
    """One poll; an unexpected bug in it is logged and counted, never stops the others."""
    try:
        result = complete(ledger, source, source.targets(config.crosspost), state,
                          session=session, now=now, backfill=backfill, unchanged=unchanged)
    except LedgerError:
        raise
    except Exception as exc:  # noqa: BLE001 - one source's bug must not stop the others
        logger.error("source %s: poll failed unexpectedly", source.name, exc_info=True)
        return PollResult(source.name, "failed", redact(f"{type(exc).__name__}: {exc}"))
    if result.outcome not in ("failed", "gone", "not modified"):
        logger.info("%s", result.line())
    return result


def _deliver(ledger: Ledger, source: SourceSettings, config: Config, report: SourcesReport,
             session: requests.Session, *, now: datetime, sleep: Callable[[float], object],
             stop: Stop, clock: Callable[[], float]) -> None:
    """Deliver this source's due entries to its endpoints (secrets read only when needed)."""
    targets = source.targets(config.crosspost)
    posts = source_posts(ledger, source, [t.name for t in targets])
    if not posts:
        return
    try:
        built = build_endpoints(config, targets, mode=SecretMode.REQUIRED, session=session)
    except ConfigError as exc:  # one source's endpoint cannot be built: the others still run
        logger.error("source %s: not delivering: %s", source.name, exc)
        report.notes.append(f"source {source.name}: not delivering: {exc}")
        return
    Deliverer(ledger, report.delivery, posts, now=now, sleep=sleep, stop=stop,
              clock=clock).deliver([e for e, _ in built])


def source_posts(ledger: Ledger, source: SourceSettings, endpoints: list[str]) -> list[Post]:
    """Posts for this source's entries that still have a delivery to make or settle."""
    posts = []
    for key, text, first_seen in store.open_entries(ledger, source.name, endpoints):
        entry = Entry.from_json(text)
        seen = parse_stamp(first_seen)
        assert seen is not None
        posts.append(to_post(entry, key=key, source=source.name, base_url=source.url,
                             first_seen=seen))
    return posts


class _endpoint_session:
    """A requests session for the endpoints, closed at the end of the run."""

    def __enter__(self) -> requests.Session:
        from .. import __version__

        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"syndicator/{__version__}"
        return self.session

    def __exit__(self, *exc: object) -> None:
        self.session.close()
