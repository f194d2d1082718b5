"""The dry run: every delivery a real run would make, rendered and measured, and everything it
would skip with the reason. Reads the ledger if there is one (read-only, never creating it) and
writes nothing anywhere; returns what it found.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from ..endpoints.base import Endpoint
from ..model import Post
from ..posts.content import render_body
from ..redact import redact
from .ledger import Ledger, parse_stamp
from .planning import Choice, plan_endpoint
from .report import Action, Preview, Skip

logger = logging.getLogger(__name__)

_Item = tuple[Post, Action, datetime | None]  # (post, action, due)


@dataclass(frozen=True)
class DryRun:
    """What a dry run found: the previews, what would be skipped, and notes for the user."""

    previews: tuple[Preview, ...] = ()
    skipped: tuple[Skip, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass
class _Found:
    previews: list[Preview] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def preview(endpoints: list[tuple[Endpoint, tuple[str, ...]]], posts: list[Post],
            ledger: Ledger | None, *, now: datetime, choice: Choice = Choice()) -> DryRun:
    """Each (endpoint, secrets not set) pair's deliveries as a real run would make them."""
    found = _Found()
    by_id = {p.id: p for p in posts}
    for endpoint, missing in endpoints:
        name = endpoint.name
        if missing:
            found.notes.append(f"'{name}': not set: {', '.join(missing)} "
                               "(a real run stops with a config error)")
        state = ledger.endpoint(name) if ledger else None
        if state is not None and state.paused:
            found.previews.append(Preview("", name, "", Action.PAUSED, state.paused_reason or "paused"))
            continue
        known = ledger.known(name) if ledger else set()
        plans, waiting = plan_endpoint(endpoint.settings, posts, known=known,
                                       first_seen=state is None, now=now, choice=choice)
        if state is not None and (choice.backfill or choice.since):
            found.notes.append(f"--backfill/--since apply to new endpoints only; "
                               f"'{name}' was first seen {state.first_seen}")
        items = _queued(ledger, name, by_id) if ledger else []
        for plan in plans:
            post = by_id[plan.post_id]
            if plan.state == "skipped":
                _skip(found, post, name, plan.reason or "")
            else:
                items.append((post, Action.SEND, plan.due))
        for post_id, why in waiting:
            _skip(found, by_id[post_id], name, why)
        found.previews += _unpublished(name, posts, known, now)
        for post, action, due in sorted(items, key=lambda i: (i[0].published, i[0].id)):
            found.previews.append(_render(endpoint, post, action, due, now))
    return DryRun(tuple(found.previews), tuple(found.skipped), tuple(found.notes))


def _skip(found: _Found, post: Post, name: str, why: str) -> None:
    found.skipped.append(Skip(post.id, name, why))
    found.previews.append(Preview(post.id, name, post.title, Action.SKIP, why))


def _queued(ledger: Ledger, name: str, by_id: dict[str, Post]) -> list[_Item]:
    """What the ledger already holds for this endpoint: pending rows to send, interrupted or
    unknown rows to settle (not those kept for a human: `status` lists them)."""
    items: list[_Item] = []
    for row in ledger.rows(endpoint=name, states=["pending", "sending", "unknown"]):
        post = by_id.get(row.post_id)
        if post is None or (row.state == "unknown" and row.next_attempt_at is None):
            continue
        due = parse_stamp(row.next_attempt_at) if row.state != "sending" else None
        action = Action.SETTLE if row.state in ("sending", "unknown") else Action.SEND
        items.append((post, action, due))
    return items


def _unpublished(name: str, posts: list[Post], known: set[str], now: datetime) -> list[Preview]:
    """Drafts and scheduled posts: they wait until published."""
    out = []
    for post in posts:
        if post.id not in known and not post.is_published(now):
            why = "draft" if post.draft else f"scheduled for {post.published.isoformat()}"
            out.append(Preview(post.id, name, post.title, Action.WAIT, why))
    return out


def _render(endpoint: Endpoint, post: Post, action: Action, due: datetime | None,
            now: datetime) -> Preview:
    reason = ""
    if action is Action.SETTLE:
        reason = ("an earlier attempt may have been applied; " +
                  ("it would be settled (same key)" if endpoint.resend_when_unsure
                   else "it would be kept as unknown, not resent"))
    if due is not None and due > now:
        action, reason = Action.WAIT, f"due at {due.isoformat()}" + (f"; {reason}" if reason else "")
    try:
        message = endpoint.render(post, render_body(post), template=endpoint.settings.template,
                                  own_text=post.syndicate.text_for(endpoint.name))
    except Exception as exc:  # show it; a real run would retry later
        logger.debug("dry run: cannot render %s for %s", post.id, endpoint.name, exc_info=True)
        return Preview(post.id, endpoint.name, post.title, Action.ERROR,
                       redact(f"cannot render: {type(exc).__name__}: {exc}",
                              endpoint.secret_values()))
    return Preview(post.id, endpoint.name, post.title, action, reason, text=message.text,
                   length=message.length, limit=message.limit, details=dict(message.details),
                   dropped=tuple(message.dropped))
