"""Planning: which posts an endpoint gets, as new ledger rows (pending with a due time, or
skipped with why), and which wait without a row (drafts, front matter opt-outs).

First run, and every endpoint added later: posts that already exist are recorded `skipped`,
nothing is sent; `backfill`/`since` opt in. Never older than max_age; wait min_age; drafts and
future posts wait; `syndicate:` front matter is honoured; edits never re-send. Oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from ..crosspost_settings import EndpointSettings
from ..model import Post
from .ledger import Plan
from .policy import duration_text


@dataclass(frozen=True)
class Choice:
    """What the user asked for beyond the plan: backfill the N newest, or posts since a date."""

    backfill: int | None = None
    since: datetime | None = None


def plan_endpoint(endpoint: EndpointSettings, posts: Sequence[Post], *, known: set[str],
                  first_seen: bool, now: datetime,
                  choice: Choice = Choice()) -> tuple[list[Plan], list[tuple[str, str]]]:
    """New ledger rows for one endpoint, and posts left without a row (with why).

    `first_seen`: the endpoint is new, so what exists is the baseline (skipped) unless picked
    by backfill (the N newest) or since (published at or after it).
    """
    plans: list[Plan] = []
    waiting: list[tuple[str, str]] = []
    published = [p for p in posts if p.is_published(now) and p.id not in known]
    picked = _picked(endpoint, published, choice) if first_seen else set()
    for post in sorted(published, key=_order):
        if first_seen and post.id not in picked:
            plans.append(Plan(post.id, post.published, "skipped",
                              "existed before the endpoint was added (opt in with --backfill "
                              "or --since)"))
        elif now - post.published > endpoint.max_age:
            plans.append(Plan(post.id, post.published, "skipped",
                              f"older than max_age ({duration_text(endpoint.max_age)})"))
        elif not post.syndicate.enabled:
            waiting.append((post.id, "syndicate: false in front matter"))
        elif not post.syndicate.allows(endpoint.name):
            waiting.append((post.id, f"front matter skips '{endpoint.name}'"))
        else:
            due = now if post.id in picked else now + endpoint.min_age
            plans.append(Plan(post.id, post.published, "pending", due=due))
    return plans, waiting


def _picked(endpoint: EndpointSettings, published: list[Post], choice: Choice) -> set[str]:
    """The posts a new endpoint gets although they existed before it: --backfill, --since."""
    allowed = [p for p in published if p.syndicate.allows(endpoint.name)]
    picked: set[str] = set()
    if choice.backfill:
        picked |= {p.id for p in sorted(allowed, key=_order)[-choice.backfill:]}
    if choice.since is not None:
        picked |= {p.id for p in allowed if p.published >= choice.since}
    return picked


def _order(post: Post) -> tuple[datetime, str]:
    return (post.published, post.id)
