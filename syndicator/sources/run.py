"""Cross-posting from feed sources: poll each due source, then deliver what is due for its
entries through the crosspost Deliverer (same ledger, claim-before-send, keys, backoff, pause
and `unknown` rules as the posts folder).

One run holds the crosspost run lock for its whole length, so a daemon tick and a manual run
never settle each other's `sending` rows. A source that fails never stops the others.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

import requests

from .. import redact as redaction
from ..config import Config
from ..crosspost.delivery import Deliverer
from ..crosspost.ledger import Ledger, open_ledger, parse_stamp
from ..crosspost.runner import CrosspostReport, _RunLock
from ..crosspost.targets import Settings, parse
from . import store
from .entry import Entry, to_post
from .fetch import new_session
from .poll import PollResult, poll
from .settings import Source, find, parse_sources

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


def load(config: Config, *, secrets: str = "required") -> tuple[Settings, tuple[Source, ...]]:
    """The cross-posting settings and the checked [[sources]]."""
    settings = parse(config, secrets=secrets)
    return settings, parse_sources(config, endpoints=tuple(t.name for t in settings.targets))


def run(config: Config, *, now: datetime, only: str | None = None, force: bool = False,
        backfill: int | None = None, session: requests.Session | None = None,
        sleep: Callable[[float], Any] = time.sleep, stop: Any = None,
        clock: Callable[[], float] = time.monotonic) -> SourcesReport:
    """Poll the due sources (`only`: that one, now) and deliver their due entries."""
    settings, sources = load(config)
    chosen = [find(sources, only, file=config.path.name)] if only else \
        [s for s in sources if s.enabled]
    report = SourcesReport()
    if not chosen:
        report.notes.append("no enabled [[sources]] in the config: nothing to poll")
        return report
    redaction.register(settings.secret_values())
    redaction.install()
    fetcher = session or new_session()
    with _RunLock(settings.ledger), open_ledger(settings.ledger) as ledger, \
            _endpoint_session() as posting:
        for source in chosen:
            report.polls.append(_poll_one(ledger, source, settings, fetcher, now=now,
                                          force=force or only is not None, backfill=backfill))
        for source in chosen:
            _deliver(ledger, source, settings, report, posting, now=now, sleep=sleep,
                     stop=stop, clock=clock)
    return report


def _poll_one(ledger: Ledger, source: Source, settings: Settings, session: requests.Session, *,
              now: datetime, force: bool, backfill: int | None) -> PollResult:
    """One poll; an unexpected bug in it is logged and counted, never stops the others."""
    try:
        result = poll(ledger, source, source.targets(settings), session=session, now=now,
                      force=force, backfill=backfill)
    except Exception as exc:  # noqa: BLE001 - one source's bug must not stop the others
        if type(exc).__name__ == "LedgerError":
            raise
        logger.error("source %s: poll failed unexpectedly", source.name, exc_info=True)
        return PollResult(source.name, "failed", redaction.redact(f"{type(exc).__name__}: {exc}"))
    log = logger.info if result.outcome not in ("failed", "gone") else logger.debug
    log("%s", result.line())
    return result


def _deliver(ledger: Ledger, source: Source, settings: Settings, report: SourcesReport,
             session: requests.Session, *, now: datetime, sleep: Callable[[float], Any],
             stop: Any, clock: Callable[[], float]) -> None:
    """Deliver this source's due entries to its endpoints."""
    targets = source.targets(settings)
    posts = source_posts(ledger, source, [t.name for t in targets])
    if not posts:
        return
    pairs = [(t, t.build(session)) for t in targets]
    Deliverer(ledger, report.delivery, posts, now=now, sleep=sleep, stop=stop,
              clock=clock).deliver(pairs)


def source_posts(ledger: Ledger, source: Source, endpoints: list[str]) -> list[Any]:
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
