"""`syndicator crosspost --source NAME --dry-run`: fetch the feed (conditionally, as a real poll
would), classify its entries against the ledger read-only, and render each message a real run
would send, with its length. Nothing is stored and nothing is sent."""

from __future__ import annotations

from datetime import datetime

import requests

from ..config import Config
from ..crosspost.ledger import open_ledger
from ..crosspost.report import Action, CrosspostReport, Preview, Skip
from ..crosspost.secrets import SecretMode
from ..crosspost.targets import build_endpoints
from ..errors import SourceError
from ..posts.content import render_body
from ..redact import redact
from . import store
from .entry import to_post
from .fetch import fetch, new_session
from .identity import assign_keys
from .classify import Decision, classify
from .parse import parse_feed
from .poll import BASELINE_REASON, recorded
from ..sources_settings import SourceSettings, find


def dry_run(config: Config, name: str, *, now: datetime, backfill: int | None = None,
            session: requests.Session | None = None) -> CrosspostReport:
    """What polling `name` now would queue, hold or skip, and every message it would send."""
    source = find(config.sources, name, file=config.path.name)
    report = CrosspostReport(dry_run=True)
    ledger = open_ledger(config.crosspost.ledger, readonly=True)
    try:
        state = store.get(ledger, source.name) if ledger else None
        url = state.url if state and state.config_url == source.url else source.url
        etag = state.etag if state and state.config_url == source.url else None
        modified = state.last_modified if state and state.config_url == source.url else None
        try:
            fetched = fetch(session or new_session(), url, etag=etag, last_modified=modified,
                            timeout=source.timeout, max_bytes=source.max_bytes, now=now)
            feed = parse_feed(fetched.body, where=source.name) if fetched.status == 200 else None
        except SourceError as exc:
            report.notes.append(f"source {source.name}: the poll would fail: {redact(exc.message)}")
            return report
        if feed is None:
            report.notes.append(f"source {source.name}: not modified since the last poll (304)")
            return report
        keys = assign_keys([(e.entry_id, e.link, e.title, e.raw_date or e.published or "")
                            for e in feed.entries], source=source.name, home=feed.link)
        rows = [(k, e, to_post(e, key=k, source=source.name, base_url=source.url,
                               first_seen=now).published) for k, e in zip(keys, feed.entries)]
        first = state is None or state.baseline_at is None
        decisions = classify(rows, recorded(ledger, source.name), first_poll=first,
                             hold_over=source.hold_over, backfill=backfill)
        _previews(report, config, source, decisions, now=now)
    finally:
        if ledger is not None:
            ledger.close()
    return report


def _previews(report: CrosspostReport, config: Config, source: SourceSettings,
              decisions: list[Decision], *, now: datetime) -> None:
    targets = source.targets(config.crosspost)
    with requests.Session() as session:
        for endpoint, credentials in build_endpoints(config, targets, mode=SecretMode.LENIENT,
                                                     session=session):
            target = endpoint.settings
            if credentials.missing:
                report.notes.append(f"'{target.name}': not set: {', '.join(credentials.missing)} "
                                    "(a real run stops with a config error)")
            for d in decisions:
                post = to_post(d.entry, key=d.key, source=source.name, base_url=source.url,
                               first_seen=now)
                if d.state != "queued":
                    why = BASELINE_REASON if d.state == "baseline" else d.note
                    report.skipped.append(Skip(d.key, target.name, why))
                    continue
                if now - post.published > target.max_age:
                    report.skipped.append(Skip(d.key, target.name, "older than max_age"))
                    continue
                message = endpoint.render(post, render_body(post), template=target.template)
                report.previews.append(Preview(
                    d.key, target.name, post.title, Action.SEND, text=message.text,
                    length=message.length, limit=message.limit, details=dict(message.details),
                    dropped=tuple(message.dropped)))
