"""The real clock, build, cross-posting, WebSub and ledger calls a Daemon makes; tests pass fakes."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..config import Config


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


def build(config: Config, *, now: datetime, keep_posts: bool = False, brief: bool = False, memory: Any = None,
          changed: Any = None) -> Any:
    """Build the feeds (syndicator.build.build); `keep_posts`, `brief`, `memory` and `changed` as there."""
    from ..build import build as build_feeds
    return build_feeds(config, now=now, keep_posts=keep_posts, brief=brief, memory=memory, changed=changed)


def crosspost(config: Config, posts: Any, **kwargs: Any) -> Any:
    """One cross-posting pass (syndicator.crosspost.run)."""
    from .. import crosspost as crosspost_module
    return crosspost_module.run(config, posts, **kwargs)


def sources(config: Config, **kwargs: Any) -> Any:
    """One pass over the [[sources]]: poll those due, deliver their entries (sources.run)."""
    from ..sources.run import run
    return run(config, **kwargs)


def ping(config: Config, changed: list[Path], *, session: Any, now: datetime,
         timeout: float) -> Any:
    """Queue and send WebSub pings (syndicator.crosspost.websub_outbox.announce)."""
    from ..crosspost.websub_outbox import announce
    return announce(config, now=now, session=session, changed=changed, timeout=timeout)


def next_delivery(config: Config) -> datetime | None:
    """When the ledger next has a delivery due (min_age waits, backoff retries), if ever."""
    from ..crosspost.ledger import open_ledger, parse_stamp

    ledger = open_ledger(config.crosspost.ledger, readonly=True)
    if ledger is None:
        return None
    with ledger:
        rows = ledger.rows(states=["pending", "unknown"])
    return min((parse_stamp(r.next_attempt_at) for r in rows if r.next_attempt_at), default=None)
