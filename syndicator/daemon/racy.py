"""When the post files a build could not trust will be trusted: the daemon builds again then, not on the next save.

A build trusts a post file's size and mtime only when the file was modified at least RACY_NS
before its scan started (build/cache.py: a timestamp too coarse to tell a later write apart).
After the daemon's first build of a freshly written or checked-out folder, every file may be
that recent; the next build must then read them all again, and more than the incremental
build's MAX_CHANGED of them means a full build. Left alone, that full build would be the first
save's. So the daemon builds once more as soon as the newest file is old enough, while nobody waits.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..build.cache import RACY_NS
from ..build.incremental import MAX_CHANGED

MARGIN_NS = 20_000_000  # the build's scan starts a little after its `now`; this much later is surely past


def too_recent(memory: Any) -> int:
    """How many post files the build that left `memory` (build/warm.py's Memory) will read again next time."""
    if memory is None:
        return 0
    racy = memory.record.scan_started_ns - RACY_NS
    if memory.newest < racy:
        return 0
    return sum(1 for _size, mtime in memory.warm.files.values() if mtime >= racy)


def reread_at(memory: Any) -> datetime | None:
    """When to build again so that the next save is not a full build (None: no need).

    Only when more files are too recent than an incremental build reads; then at the moment the
    newest of them is RACY_NS old (a build whose scan starts later trusts them all).
    """
    if too_recent(memory) <= MAX_CHANGED:
        return None
    return datetime.fromtimestamp((memory.newest + RACY_NS + MARGIN_NS) / 1e9, timezone.utc)
