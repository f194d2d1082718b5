"""WebSub (W3C): tell each hub that a feed changed. Not a per-post endpoint.

After a build that changed feeds, the build or the daemon calls
`ping_hubs(session, hubs, feed_urls, timeout=...)` with the hubs from [feeds] hubs (the same
ones the feeds advertise with rel="hub") and the public URLs of the changed feeds (their
rel="self"). Each ping is `POST {hub}` form `hub.mode=publish&hub.url={feed}&hub.topic={feed}`;
any 2xx (hubs answer 204) is success. Pings are idempotent, so a failed one can simply be
repeated after the next build.
"""

from __future__ import annotations

import logging
from typing import Iterable

import requests

from ..errors import TransientError
from ..redact import one_line, redact
from .http import host_of

logger = logging.getLogger(__name__)


def ping(session: requests.Session, hub: str, feed_url: str, *, timeout: float = 10.0) -> None:
    """Ping one hub about one feed; raises TransientError on any failure."""
    where = host_of(hub)
    failure = ""
    try:
        resp = session.post(hub, data={"hub.mode": "publish", "hub.url": feed_url,
                                       "hub.topic": feed_url},
                            timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        failure = type(exc).__name__
    if failure:  # raised outside the handler: requests' message (with the URL) is not chained
        raise TransientError(f"WebSub hub {where}: {failure} while pinging for {feed_url}")
    if not 200 <= resp.status_code < 300:
        said = one_line(redact(resp.text, [hub]), limit=200)
        raise TransientError(f"WebSub hub {where} answered {resp.status_code} for {feed_url}"
                             + (f": {said}" if said else ""), status=resp.status_code)


def ping_hubs(session: requests.Session, hubs: Iterable[str], feed_urls: Iterable[str], *,
              timeout: float = 10.0) -> list[str]:
    """Ping every hub about every changed feed; returns one problem string per failure."""
    problems = []
    feeds = list(dict.fromkeys(feed_urls))
    for hub in dict.fromkeys(hubs):
        for feed in feeds:
            try:
                ping(session, hub, feed, timeout=timeout)
            except TransientError as exc:
                logger.warning("%s", exc)
                problems.append(str(exc))
            else:
                logger.info("WebSub hub %s pinged for %s", host_of(hub), feed)
    return problems
