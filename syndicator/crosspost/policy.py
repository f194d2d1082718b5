"""The retry policy (../shared/design/crosspost.md): quick in-run retries when the platform asks
to wait at most a minute, else exponential backoff with jitter, within a budget of attempts and
time; and how durations are written in messages."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from .ledger import Row, parse_stamp

BACKOFF = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600)  # seconds
MAX_ATTEMPTS = 8
MAX_WINDOW = timedelta(hours=48)
QUICK_RETRIES = 2
QUICK_WAIT_LIMIT = 60.0  # longer Retry-After -> schedule, do not sleep in the run
JITTER = 0.2


def backoff(n: int, *, rng: random.Random | None = None) -> timedelta:
    """Delay before attempt n+1 after n failed ones: 1m, 5m, 15m, 1h, 3h, 6h, 12h, 24h, ±20%."""
    base = BACKOFF[min(max(n, 1), len(BACKOFF)) - 1]
    return timedelta(seconds=base * (1 + (rng or random).uniform(-JITTER, JITTER)))


def exhausted(before: Row, used: int, now: datetime) -> bool:
    """True when `used` attempts (or the time since the budget's first) are all it may take."""
    began = parse_stamp(before.window_start) or now
    return used >= MAX_ATTEMPTS or now - began >= MAX_WINDOW


def duration_text(delta: timedelta) -> str:
    """"7d", "2h", "90s": a duration as config spells it, for messages."""
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
