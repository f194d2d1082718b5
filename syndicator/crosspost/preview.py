"""The dry run: every delivery a real run would make, rendered and measured, and everything it
would skip with the reason. Reads the ledger if there is one (read-only, never creating it) and
writes nothing anywhere.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Iterable

import requests

from ..model import Post
from ..posts.content import render_body
from .ledger import Ledger, Plan, parse_stamp
from .targets import Target

logger = logging.getLogger(__name__)

_Item = tuple[Post, str, datetime | None]  # (post, action, due)


def preview(report: Any, targets: Iterable[Target], posts: list[Post], ledger: Ledger | None, *,
            session: requests.Session, now: datetime, backfill: int | None,
            since: datetime | None) -> None:
    """Fill `report.previews`, `report.skipped` and `report.notes` for a dry run."""
    from .runner import Preview, plan_target

    by_id = {p.id: p for p in posts}
    for target in targets:
        if target.missing:
            report.notes.append(f"'{target.name}': not set: {', '.join(target.missing)} "
                                "(a real run stops with a config error)")
        state = ledger.endpoint(target.name) if ledger else None
        if state is not None and state.paused:
            report.previews.append(Preview("", target.name, "", "paused",
                                           state.paused_reason or "paused"))
            continue
        endpoint = target.build(session)
        known = ledger.known(target.name) if ledger else set()
        plans, waiting = plan_target(target, posts, known=known, first_seen=state is None,
                                     now=now, backfill=backfill, since=since)
        if state is not None and (backfill or since):
            report.notes.append(f"--backfill/--since apply to new endpoints only; "
                                f"'{target.name}' was first seen {state.first_seen}")
        items = _queued(ledger, target.name, by_id) if ledger else []
        items += _planned(report, target.name, plans, waiting, by_id)
        _unpublished(report, target.name, posts, known, now)
        for post, action, due in sorted(items, key=lambda i: (i[0].published, i[0].id)):
            report.previews.append(_render(endpoint, target, post, action, due, now))


def _queued(ledger: Ledger, name: str, by_id: dict[str, Post]) -> list[_Item]:
    """What the ledger already holds for this endpoint: pending rows to send, interrupted or
    unknown rows to settle (not those kept for a human: `status` lists them)."""
    items: list[_Item] = []
    for row in ledger.rows(endpoint=name, states=["pending", "sending", "unknown"]):
        post = by_id.get(row.post_id)
        if post is None or (row.state == "unknown" and row.next_attempt_at is None):
            continue
        due = parse_stamp(row.next_attempt_at) if row.state != "sending" else None
        action = "settle" if row.state in ("sending", "unknown") else "send"
        items.append((post, action, due))
    return items


def _planned(report: Any, name: str, plans: list[Plan], waiting: list[tuple[str, str]],
             by_id: dict[str, Post]) -> list[_Item]:
    """Record what planning would skip and why; return the new rows it would send."""
    from .runner import Preview

    items: list[_Item] = []
    for plan in plans:
        post = by_id[plan.post_id]
        if plan.state == "skipped":
            report.skipped.append((post.id, name, plan.reason or ""))
            report.previews.append(Preview(post.id, name, post.title, "skip", plan.reason or ""))
        else:
            items.append((post, "send", plan.due))
    for post_id, why in waiting:
        report.skipped.append((post_id, name, why))
        report.previews.append(Preview(post_id, name, by_id[post_id].title, "skip", why))
    return items


def _unpublished(report: Any, name: str, posts: list[Post], known: set[str],
                 now: datetime) -> None:
    """Drafts and scheduled posts: they wait until published."""
    from .runner import Preview

    for post in posts:
        if post.id not in known and not post.is_published(now):
            why = "draft" if post.draft else f"scheduled for {post.published.isoformat()}"
            report.previews.append(Preview(post.id, name, post.title, "wait", why))


def _render(endpoint: Any, target: Target, post: Post, action: str, due: datetime | None,
            now: datetime) -> Any:
    from ..redact import redact
    from .runner import Preview

    reason = ""
    if action == "settle":
        reason = ("an earlier attempt may have been applied; " +
                  ("it would be settled (same key)" if target.resend_when_unsure
                   else "it would be kept as unknown, not resent"))
    if due is not None and due > now:
        action, reason = "wait", f"due at {due.isoformat()}" + (f"; {reason}" if reason else "")
    try:
        message = endpoint.render(post, render_body(post), template=target.template,
                                  own_text=post.syndicate.text_for(target.name))
    except Exception as exc:  # show it; a real run would retry later
        logger.debug("dry run: cannot render %s for %s", post.id, target.name, exc_info=True)
        return Preview(post.id, target.name, post.title, "error",
                       redact(f"cannot render: {type(exc).__name__}: {exc}"))
    return Preview(post.id, target.name, post.title, action, reason, text=message.text,
                   length=message.length, limit=message.limit, details=dict(message.details),
                   dropped=tuple(message.dropped))
