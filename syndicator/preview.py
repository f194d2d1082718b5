"""The dry run: every delivery a real run would make, rendered and measured, and everything it
would skip with the reason. Reads the ledger if there is one (read-only, never creating it) and
writes nothing anywhere.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Iterable

import requests

from .content import render_body
from .ledger import Ledger, parse_stamp
from .model import Post
from .targets import Target

logger = logging.getLogger(__name__)


def preview(report: Any, targets: Iterable[Target], posts: list[Post], ledger: Ledger | None, *,
            session: requests.Session, now: datetime, backfill: int | None,
            since: datetime | None) -> None:
    """Fill `report.previews`, `report.skipped` and `report.notes` for a dry run."""
    from .crosspost import Preview, plan_target

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
        items: list[tuple[Post, str, datetime | None]] = []  # (post, action, due)
        if ledger:
            for row in ledger.rows(endpoint=target.name, states=["pending", "sending", "unknown"]):
                post = by_id.get(row.post_id)
                if post is None:
                    continue
                if row.state == "unknown" and row.next_attempt_at is None:
                    continue  # kept for a human; `status` lists it
                due = parse_stamp(row.next_attempt_at) if row.state != "sending" else None
                action = "settle" if row.state in ("sending", "unknown") else "send"
                items.append((post, action, due))
        for plan in plans:
            post = by_id[plan.post_id]
            if plan.state == "skipped":
                report.skipped.append((post.id, target.name, plan.reason or ""))
                report.previews.append(Preview(post.id, target.name, post.title, "skip",
                                               plan.reason or ""))
            else:
                items.append((post, "send", plan.due))
        for post_id, why in waiting:
            report.skipped.append((post_id, target.name, why))
            report.previews.append(Preview(post_id, target.name, by_id[post_id].title, "skip", why))
        for post in posts:
            if post.id not in known and not post.is_published(now):
                why = "draft" if post.draft else f"scheduled for {post.published.isoformat()}"
                report.previews.append(Preview(post.id, target.name, post.title, "wait", why))
        for post, action, due in sorted(items, key=lambda i: (i[0].published, i[0].id)):
            report.previews.append(_render(endpoint, target, post, action, due, now))


def _render(endpoint: Any, target: Target, post: Post, action: str, due: datetime | None,
            now: datetime) -> Any:
    from .crosspost import Preview
    from .redact import redact

    reason = ""
    if action == "settle":
        reason = ("an earlier attempt may have been applied; " +
                  ("it would be settled (same key)" if target.resend_unsure
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
