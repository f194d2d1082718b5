"""What the daemon hands to its worker: the cross-posting schedule, WebSub pings, pass summaries."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import schedule

from ..config import Config
from ..crosspost.report import CrosspostReport

logger = logging.getLogger(__package__)  # the daemon's lines keep the name `syndicator.daemon`

PING_TIMEOUT = 10.0


def schedule_crossposts(scheduler: schedule.Scheduler, config: Config,
                        request: Callable[[str], None]) -> None:
    """(Re-)register the [daemon] crosspost_every and crosspost_at jobs; each calls request(reason)."""
    scheduler.clear("crosspost")
    every = int(config.daemon.crosspost_every.total_seconds())
    if every > 0:
        scheduler.every(every).seconds.do(request, "schedule").tag("crosspost")
    for at in config.daemon.crosspost_at:
        _schedule_at(scheduler, config, request, at)


def _schedule_at(scheduler: schedule.Scheduler, config: Config, request: Callable[[str], None],
                 at: str) -> None:
    # `schedule` counts times of day in the machine's local time and needs pytz for
    # others; the config means the site's time zone. Convert for the next occurrence and
    # re-register after each run, so DST changes are followed.
    tz = config.site.timezone
    hour, minute = (int(x) for x in at.split(":"))
    now = datetime.now(tz)
    target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target <= now:
        target = (target + timedelta(days=1)).replace(hour=hour, minute=minute)
    local = target.astimezone()

    def job() -> Any:
        request(f"daily at {at}")
        _schedule_at(scheduler, config, request, at)
        return schedule.CancelJob

    scheduler.every().day.at(local.strftime("%H:%M")).do(job).tag("crosspost")


SOURCES_TICK = 60  # seconds between looks at the [[sources]]; each is polled on its own `every`


def schedule_sources(scheduler: schedule.Scheduler, config: Config,
                     request: Callable[[str], None]) -> None:
    """(Re-)register the [[sources]] job: every minute, poll the sources whose time has come
    (the ledger remembers each one's next poll, so restarts never poll early)."""
    scheduler.clear("sources")
    if any(s.enabled for s in config.sources):
        scheduler.every(SOURCES_TICK).seconds.do(request, "schedule").tag("sources")


def enabled_endpoints(config: Config) -> bool:
    """Whether any [[endpoints]] table is enabled (the example config ships them disabled)."""
    return bool(config.crosspost.enabled())


def summary(report: CrosspostReport | None) -> str:
    """One line for a crosspost report (its summary()), or "done" when a pass returned none."""
    return "done" if report is None else report.summary()


def ping(ping_fn: Callable[..., Any], config: Config, changed: list[Path], session: Any, *,
         now: datetime) -> None:
    """After a build: queue WebSub pings for the feeds that changed and send what is due
    (pings that failed earlier too), through `ping_fn`; log the outcome."""
    report = ping_fn(config, changed, session=session, now=now, timeout=PING_TIMEOUT)
    if report is not None and (report.sent or report.pending or report.dropped):
        logger.info("%s", report.summary())


def http_session() -> Any:
    """A requests session with syndicator's User-Agent, for the WebSub pings."""
    import requests

    from .. import __version__

    session = requests.Session()
    session.headers["User-Agent"] = f"syndicator/{__version__}"
    return session
