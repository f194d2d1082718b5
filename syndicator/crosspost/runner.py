"""Cross-posting: plan -> claim -> send -> record, one ledger row per (post, endpoint).

The rules are those of ../shared/design/crosspost.md; planning.py decides which posts each
endpoint gets, delivery.py makes the attempts, outcomes.py records them, preview.py is the dry
run. Data flows one way: config and posts in, the ledger and a CrosspostReport out.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Mapping

import requests

from ..config import Config
from ..crosspost_settings import CrosspostSettings, EndpointSettings
from ..errors import LedgerError
from ..model import Body, Post
from .delivery import Deliverer
from .ledger import Ledger, open_ledger
from .planning import Choice, plan_endpoint
from .preview import preview
from .report import CrosspostReport, Skip
from .secrets import SecretMode
from .targets import build_endpoints, select

logger = logging.getLogger(__name__)


def check_config(config: Config, *, secrets: bool = True) -> CrosspostSettings:
    """Check that every endpoint can be built: its template, and (by default) its secrets."""
    mode = SecretMode.REQUIRED if secrets else SecretMode.LENIENT
    with requests.Session() as session:  # building an endpoint checks it; no traffic
        build_endpoints(config, config.crosspost.endpoints, mode=mode, session=session)
    return config.crosspost


def run(config: Config, posts: Iterable[Post], *, now: datetime,
        session: requests.Session | None = None, dry_run: bool = False,
        endpoint: str | None = None, backfill: int | None = None,
        since: datetime | None = None, sleep: Callable[[float], object] = time.sleep,
        stop: threading.Event | Callable[[], bool] | None = None,
        clock: Callable[[], float] = time.monotonic,
        bodies: Mapping[str, Body] | None = None) -> CrosspostReport:
    """Plan and deliver what is due. `stop` (an Event or a callable) is checked between
    deliveries; `sleep` and `clock` are injectable so tests never wait. `bodies` (by digest,
    from the build report) are used instead of rendering those posts' bodies again."""
    chosen = select(config, endpoint)
    posts = list(posts)
    choice = Choice(backfill=backfill, since=since)
    report = CrosspostReport(dry_run=dry_run)
    if not chosen:
        report.notes.append("no enabled [[endpoints]] in the config: nothing to do")
        return report
    session = session or _session()
    mode = SecretMode.LENIENT if dry_run else SecretMode.REQUIRED
    built = build_endpoints(config, chosen, mode=mode, session=session)  # stops before any write
    ledger_path = config.crosspost.ledger
    if dry_run:
        ledger = open_ledger(ledger_path, readonly=True)
        try:
            found = preview([(e, c.missing) for e, c in built], posts, ledger, now=now, choice=choice)
        finally:
            if ledger is not None:
                ledger.close()
        report.previews, report.skipped, report.notes = (list(found.previews), list(found.skipped),
                                                         list(found.notes))
        return report
    with _RunLock(ledger_path), open_ledger(ledger_path) as ledger:
        for e in chosen:
            _plan(ledger, report, e, posts, now=now, choice=choice)
        deliverer = Deliverer(ledger, report, posts, now=now, sleep=sleep, stop=stop, clock=clock,
                              bodies=bodies)
        deliverer.deliver([e for e, _ in built])
    return report


def _session() -> requests.Session:
    from .. import __version__

    session = requests.Session()
    session.headers["User-Agent"] = f"syndicator/{__version__}"
    return session


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


def _plan(ledger: Ledger, report: CrosspostReport, endpoint: EndpointSettings, posts: list[Post],
          *, now: datetime, choice: Choice) -> None:
    """Create the rows this endpoint needs (a baseline if it is new)."""
    state = ledger.endpoint(endpoint.name)
    if state is not None and (choice.backfill or choice.since):
        report.notes.append(f"--backfill/--since apply to new endpoints only; "
                            f"'{endpoint.name}' was first seen {state.first_seen}")
    plans, _ = plan_endpoint(endpoint, posts, known=ledger.known(endpoint.name),
                             first_seen=state is None, now=now, choice=choice)
    ledger.plan(endpoint.name, plans, now=now)
    for p in plans:
        if p.state == "skipped":
            report.skipped.append(Skip(p.post_id, endpoint.name, p.reason or ""))
        else:
            report.planned += 1
    if state is None:
        logger.info("endpoint %s: first seen; %d existing post(s) recorded as skipped, "
                    "%d queued", endpoint.name, sum(p.state == "skipped" for p in plans),
                    sum(p.state == "pending" for p in plans))
