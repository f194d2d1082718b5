"""One /healthz report for `serve` and `run --serve`: the same fields, one status cache, private parts.

The daemon hands the server a BuildHealth of its builds; a standalone server reads one from the
feed files. Paths and the PID are shown only to trusted clients (see Handler._trusted).
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from ..config import Config

logger = logging.getLogger(__package__)  # the server's lines keep the name `syndicator.server`

STATUS_TTL = 5.0  # seconds: one ledger read per this many seconds of health probes
_SECRET_KEY = re.compile(r"token|secret|password|passwd|authorization|api_?key|credential|"
                         r"cookie|session|private", re.IGNORECASE)


@dataclass(frozen=True)
class BuildHealth:
    """What is known of the builds: from the daemon that runs them, or read from the feed files."""

    source: str  # "daemon" or "files"
    last_build: str | None  # ISO 8601
    published_posts: int | None = None
    posts_in_feed: int | None = None
    last_build_error: str | None = None
    builds: int | None = None
    problems: int | None = None
    next_scheduled_post: str | None = None
    last_crosspost: str | None = None
    next_delivery: str | None = None
    started: str | None = None

    @property
    def status(self) -> str:
        """"ok" after a successful build, "degraded" before the first one or after a failed one."""
        return "ok" if self.last_build and not self.last_build_error else "degraded"


def scrub(value: Any) -> Any:
    """Drop anything that looks like a credential from a health report, recursively."""
    if isinstance(value, dict):
        return {k: ("[redacted]" if isinstance(k, str) and _SECRET_KEY.search(k) else scrub(v))
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    return value


def file_health(config: Config) -> BuildHealth:
    """What a standalone server can tell from the feed files."""
    out, paths = config.feeds.output, config.feeds.paths
    newest = [p.stat().st_mtime for p in (out / paths.site(f) for f in ("json", "atom", "rss")) if p.is_file()]
    last = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(max(newest))) if newest else None
    try:
        items = json.loads((out / paths.site("json")).read_bytes()).get("items")
        count = len(items) if isinstance(items, list) else None
    except (OSError, ValueError, AttributeError):
        count = None
    return BuildHealth(source="files", last_build=last, posts_in_feed=count)


class StatusCache:
    """Cross-posting status per endpoint, read from the ledger at most once per `ttl` seconds."""

    def __init__(self, config: Callable[[], Config], *, ttl: float = STATUS_TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._config, self._ttl, self._clock = config, ttl, clock
        self._cached: tuple[float, str, dict[str, Any]] | None = None

    def get(self) -> dict[str, Any]:
        """The summary (and the ledger's path, which only trusted clients see)."""
        config, now = self._config(), self._clock()
        cached = self._cached
        if cached and cached[1] == config.fingerprint and now - cached[0] < self._ttl:
            return cached[2]
        try:
            from .. import crosspost

            value = summary(crosspost.status(config))
        except Exception as exc:  # noqa: BLE001 - health must answer even when the ledger cannot
            logger.debug("cross-posting status unavailable: %s", exc)
            value = {"available": False}
        if config.sources:
            value = {**value, "sources": sources_summary(config)}
        self._cached = (now, config.fingerprint, value)
        return value


def summary(status: Any) -> dict[str, Any]:
    """Per endpoint state and counts only: recent deliveries and error texts stay off /healthz."""
    if not isinstance(status, dict) or not isinstance(status.get("endpoints"), list):
        return {"available": False}
    keep = ("name", "type", "enabled", "paused", "paused_reason", "counts")
    return {
        "endpoints": [{k: e.get(k) for k in keep if k in e} for e in status["endpoints"] if isinstance(e, dict)],
        "problems": len(status.get("problems") or ()),
        "retrying": len(status.get("retrying") or ()),
        "ledger": status.get("ledger"),
    }


def sources_summary(config: Config) -> Any:
    """Per [[sources]] feed: status, last fetch, failures, held entries, next poll (no error texts)."""
    try:
        from ..sources.status import sources_status

        rows = sources_status(config, now=datetime.now(timezone.utc))
    except Exception as exc:  # noqa: BLE001 - health must answer even when the ledger cannot
        logger.debug("sources status unavailable: %s", exc)
        return {"available": False}
    keep = ("name", "enabled", "status", "last_fetch", "last_ok", "failures", "entries_seen",
            "next_poll")
    return [{**{k: r[k] for k in keep}, "held": len(r["held"])} for r in rows]


def health_report(build: BuildHealth, crosspost: dict[str, Any], *, config: Config, pid: int,
                  private: bool) -> dict[str, Any]:
    """The /healthz body: the same fields from `serve` and `run`; paths and PID only when `private`."""
    shown = {k: v for k, v in crosspost.items() if k != "ledger"}
    report: dict[str, Any] = {
        "status": build.status,
        "site": config.site.title, **asdict(build), "crosspost": shown,
    }
    if private:
        report["process"] = {"pid": pid, "config": str(config.path), "feeds": str(config.feeds.output),
                             "ledger": crosspost.get("ledger")}
    return scrub(report)
