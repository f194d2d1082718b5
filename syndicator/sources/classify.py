"""Which of a feed's entries are new, and what to do with them. Pure functions, no I/O.

- an entry whose key was recorded before: nothing (edits never re-send);
- a new key whose normalised link matches a recorded entry with the same title or date: the
  same post under a changed id -> `duplicate`, never sent;
- the source's first good poll: everything -> `baseline` (recorded, skipped), except the
  `backfill` newest -> `queued`;
- more than `hold_over` new entries in one later poll -> `held` until the user releases them;
- otherwise -> `queued` (ledger rows planned for each endpoint).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .entry import Entry


@dataclass(frozen=True)
class Seen:
    """What the ledger holds for a source: keys, and link -> (title, published) of entries."""

    keys: frozenset[str]
    links: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """One new entry and the state it gets."""

    key: str
    entry: Entry
    state: str  # "baseline", "queued", "held", "duplicate"
    published: datetime
    note: str = ""


def classify(items: list[tuple[str, Entry, datetime]], seen: Seen, *, first_poll: bool,
             hold_over: int, backfill: int | None, shared: frozenset[str] = frozenset()) -> list[Decision]:
    """Decisions for entries not seen before; `items` are (key, entry, published) in feed order.
    `shared`: normalised links that name no single entry (the home page, or used twice)."""
    fresh: list[tuple[str, Entry, datetime]] = []
    dupes: list[Decision] = []
    taken = set(seen.keys)
    links = {k: list(v) for k, v in seen.links.items()}
    for key, entry, published in items:
        if key in taken:
            continue  # known, or repeated within this feed: the first one counts
        taken.add(key)
        link = entry.norm_link()
        link = None if link in shared else link
        twin = _twin(links.get(link or "", []), entry)
        if link and twin:
            dupes.append(Decision(key, entry, "duplicate", published,
                                  f"same link as an entry already seen ({twin})"))
            continue
        if link:
            links.setdefault(link, []).append((entry.title, entry.published))
        fresh.append((key, entry, published))
    return dupes + _states(fresh, first_poll=first_poll, hold_over=hold_over, backfill=backfill)


def _twin(candidates: list[tuple[str, str | None]], entry: Entry) -> str:
    """The title of a recorded entry that is this one (same title or same date), or ""."""
    for title, published in candidates:
        if (title and title == entry.title) or (published and published == entry.published):
            return title or published or "untitled"
    return ""


def _states(fresh: list[tuple[str, Entry, datetime]], *, first_poll: bool, hold_over: int,
            backfill: int | None) -> list[Decision]:
    if first_poll:
        newest = sorted(fresh, key=lambda t: (t[2], t[0]))[-backfill:] if backfill else []
        picked = {k for k, _, _ in newest}
        return [Decision(k, e, "queued" if k in picked else "baseline", p,
                         "backfill" if k in picked else "in the feed at the source's first poll")
                for k, e, p in fresh]
    if len(fresh) > hold_over:
        note = (f"{len(fresh)} new entries in one poll (more than {hold_over}): held; release "
                "with `syndicator retry --source NAME`")
        return [Decision(k, e, "held", p, note) for k, e, p in fresh]
    return [Decision(k, e, "queued", p) for k, e, p in fresh]
