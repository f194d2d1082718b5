"""The /healthz report of a standalone server, and the scrubbing every health report gets."""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from ..config import Config

logger = logging.getLogger(__package__)  # the server's lines keep the name `syndicator.server`

_SECRET_KEY = re.compile(r"token|secret|password|passwd|authorization|api_?key|credential|"
                         r"cookie|session|private", re.IGNORECASE)


def scrub(value: Any) -> Any:
    """Drop anything that looks like a credential from a health report, recursively."""
    if isinstance(value, dict):
        return {k: ("[redacted]" if isinstance(k, str) and _SECRET_KEY.search(k) else scrub(v))
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    return value


def file_health(config: Config) -> dict[str, Any]:
    """What a standalone server can tell from the files, plus cross-posting status if available."""
    out = config.feeds.output
    report: dict[str, Any] = {"status": "ok", "site": config.site.title, "source": "files",
                              "last_build": None, "posts_in_feed": None}
    newest = [p.stat().st_mtime for p in (out / "feed.json", out / "atom.xml", out / "rss.xml")
              if p.is_file()]
    if newest:
        report["last_build"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(max(newest)))
    try:
        items = json.loads((out / "feed.json").read_bytes()).get("items")
        report["posts_in_feed"] = len(items) if isinstance(items, list) else None
    except (OSError, ValueError, AttributeError):
        pass
    report["crosspost"] = _crosspost_status(config)
    return report


_status_cache: dict[str, tuple[float, Any]] = {}


def _crosspost_status(config: Config) -> Any:
    cached = _status_cache.get(config.fingerprint)
    if cached and time.monotonic() - cached[0] < 5:  # a SQLite read per health probe is plenty
        return cached[1]
    try:
        from .. import crosspost

        value = _summary(crosspost.status(config))
    except Exception as exc:  # noqa: BLE001 - health must answer even when the ledger cannot
        logger.debug("cross-posting status unavailable: %s", exc)
        value = {"available": False}
    _status_cache[config.fingerprint] = (time.monotonic(), value)
    return value


def _summary(status: Any) -> Any:
    """Per endpoint state and counts only: recent deliveries and error texts stay off /healthz."""
    if not isinstance(status, dict) or not isinstance(status.get("endpoints"), list):
        return status
    keep = ("name", "type", "enabled", "paused", "paused_reason", "counts")
    return {
        "endpoints": [{k: e.get(k) for k in keep if k in e} for e in status["endpoints"] if isinstance(e, dict)],
        "problems": len(status.get("problems") or ()),
        "retrying": len(status.get("retrying") or ()),
    }
