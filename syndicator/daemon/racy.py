"""When the post files a build could not trust will be trusted: the daemon builds again then, not on the next save.

A build trusts a post file's size and mtime only when the file was modified long enough before
its scan started for a later write to show another mtime (build/vouch.py's trusted_from: 50 ms on
a filesystem of fine timestamps, a second more on one of whole seconds).
After the daemon's first build of a freshly written or checked-out folder, every file may be
that recent; the next build must then read them all again, and more than the incremental
build's MAX_CHANGED of them means a full build. Left alone, that full build would be the first
save's. So the daemon builds once more as soon as the newest file is old enough, while nobody waits.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..build.incremental import MAX_CHANGED
from ..build.vouch import trusted_from, untrusted

MARGIN_NS = 20_000_000  # the build's scan starts a little after its `now`; this much later is surely past


def too_recent(memory: Any) -> int:
    """How many post files the build that left `memory` (build/warm.py's Memory) will read again next time."""
    if memory is None:
        return 0
    return len(untrusted(memory.warm.files, memory.record.scan_started_ns))


def reread_at(memory: Any) -> datetime | None:
    """When to build again so that the next save is not a full build (None: no need).

    Only when more files are too recent than an incremental build reads; then at the moment the
    last of them can be trusted (a build whose scan starts later trusts them all).
    """
    if too_recent(memory) <= MAX_CHANGED:
        return None
    files = memory.warm.files
    last = max(trusted_from(files[rel][1]) for rel in untrusted(files, memory.record.scan_started_ns))
    return datetime.fromtimestamp((last + MARGIN_NS) / 1e9, timezone.utc)
