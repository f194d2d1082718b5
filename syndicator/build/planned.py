"""A build's plan, however it was made: in full (every file scanned) or from the last build's warm state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Callable, Sequence

from ..posts.problem import Problem
from .plan import GroupKey, Top
from .warm import Warm

if TYPE_CHECKING:
    from ..posts.loader import Stub
    from .manifest import Manifest
    from .scan import Scan


@dataclass(frozen=True)
class Planned:
    """What rendering and writing need, and what the build reports and records."""

    found: Scan  # full posts on demand
    published: list[Stub]  # newest first: every published post, or with `incremental` only the changed files'
    published_count: int
    drafts: int
    future: int
    next_due: datetime | None
    problems: Sequence[Problem]  # the walk's notes first, then the post files' own problems by path
    notes: int  # how many of `problems` are the walk's notes
    groups: dict[GroupKey, Top]  # every feed's newest members (with a reserve)
    warm: Warm  # what the next build may start from
    owners: Callable[[Manifest], None]  # records who owns each published id and address
    scan_started_ns: int  # post files changed at or after this (less the racy margin) are read again next time
    incremental: bool = False
    rejected: int | None = None  # files the problems reject, when known without reading them (the record's)
    read_again: tuple[str, ...] = ()  # with `incremental`: the post files read again (changed, added or removed)
