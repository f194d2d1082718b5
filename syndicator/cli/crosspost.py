"""`syndicator crosspost`, `status` and `retry`: the cross-posting pipeline's commands."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from ..config import Config
from ..errors import UsageError
from .app import CONFIG_OPTION, main, now_utc, open_config, setup_logging

def _since(value: str | None, config: Config) -> datetime | None:
    """--since DATE: an ISO date or date-time; without a zone, the site's time zone."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--since {value!r} is not a date like 2026-05-01 or 2026-05-01T09:00") from None
    return when if when.tzinfo else when.replace(tzinfo=config.site.timezone)


def _print_preview(report) -> None:
    """The dry run, one block per delivery, then what would be skipped and why."""
    click.echo("dry run: nothing is sent and the ledger is not touched")
    waiting: dict[tuple[str, str], list[str]] = {}
    for p in report.previews:
        if p.action == "skip":
            continue
        if p.action == "wait" and p.length is None:  # drafts and scheduled posts
            waiting.setdefault((p.post_id, p.reason), []).append(p.endpoint)
            continue
        head = f"\n[{p.endpoint}] {p.post_id}" + (f"  {p.title!r}" if p.title else "")
        click.echo(head)
        if p.length is None:
            click.echo(f"  {p.action}: {p.reason}")
            continue
        limit = f"/{p.limit}" if p.limit is not None else " (no limit)"
        over = "  OVER THE LIMIT" if p.limit is not None and p.length > p.limit else ""
        click.echo(f"  {p.action}: length {p.length}{limit}{over}" + (f"; {p.reason}" if p.reason else ""))
        for line in p.text.splitlines() or [""]:
            click.echo(f"  | {line}")
        for key, value in p.details.items():
            click.echo(f"  {key}: {value}")
        if p.dropped:
            click.echo(f"  dropped to fit: {', '.join(p.dropped)}")
    if waiting:
        click.echo("\nnot yet eligible:")
    for (post_id, why), endpoints in waiting.items():
        click.echo(f"  {post_id}: {why} ({', '.join(endpoints)})")
    groups: dict[tuple[str, str], list[str]] = {}
    for post_id, endpoint, why in report.skipped:
        groups.setdefault((endpoint, why), []).append(post_id)
    if groups:
        click.echo("\nskipped:")
    for (endpoint, why), ids in groups.items():
        shown = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
        click.echo(f"  [{endpoint}] {len(ids)} post(s): {why}: {shown}")


@main.command("crosspost")
@CONFIG_OPTION
@click.option("--dry-run", is_flag=True,
              help="Show each message with its measured length and what would be skipped; "
                   "send nothing and touch nothing.")
@click.option("--endpoint", "endpoint_name", metavar="NAME", help="Only this endpoint.")
@click.option("--backfill", type=click.IntRange(min=1), metavar="N",
              help="For an endpoint seen for the first time: also send the N newest posts.")
@click.option("--since", metavar="DATE",
              help="For an endpoint seen for the first time: also send posts published since DATE.")
@click.option("--source", "source_name", metavar="NAME",
              help="Poll this [[sources]] feed now and send its new entries (not the posts folder).")
def crosspost_command(config_path: Path | None, dry_run: bool, endpoint_name: str | None,
                      backfill: int | None, since: str | None, source_name: str | None) -> None:
    """Send new posts to every configured endpoint, once (plan, then deliver what is due).

    The first run for an endpoint records the posts that already exist as skipped and sends
    nothing (use --backfill or --since to send some of them). Every delivery is recorded in
    the ledger before it is sent, so a crash never loses or duplicates a post.
    """
    from .. import crosspost
    from ..build import load_posts

    setup_logging("info")
    config = open_config(config_path)
    if source_name is not None:
        from .sources import crosspost_source

        return crosspost_source(config, source_name, dry_run=dry_run, backfill=backfill)
    when = _since(since, config)
    result = load_posts(config)
    for problem in result.problems:
        click.echo(f"warning: {problem}", err=True)
    report = crosspost.run(config, result.posts, now=now_utc(), dry_run=dry_run,
                           endpoint=endpoint_name, backfill=backfill, since=when)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    if dry_run:
        _print_preview(report)
        return
    for name, reason in sorted(report.paused.items()):
        click.echo(f"paused: {name}: {reason}", err=True)
    click.echo(report.summary())
    if report.paused or report.count("failed") or report.count("unknown"):
        sys.exit(1)


def _status_table(data: dict) -> None:
    click.echo(f"ledger: {data['ledger']}" + ("" if data["exists"] else " (none yet: run "
                                               "`syndicator crosspost`)"))
    states = ("pending", "sending", "sent", "failed", "unknown", "skipped")
    rows = [("ENDPOINT", "TYPE", "STATE", *(s.upper() for s in states))]
    for e in data["endpoints"]:
        state = ("paused" if e["paused"] else "active" if e["enabled"] else "disabled") \
            if e["configured"] else "removed"
        rows.append((e["name"], e["type"] or "-", state, *(str(e["counts"][s]) for s in states)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    for e in data["endpoints"]:
        if e["paused"]:
            click.echo(f"\npaused {e['name']}: {e['paused_reason']}")
    if data["recent"]:
        click.echo("\nlatest deliveries:")
        for r in data["recent"]:
            click.echo(f"  {r['sent_at']}  [{r['endpoint']}] {r['post_id']}  {r['remote_url'] or '-'}")
    if data["problems"]:
        click.echo("\nneeds attention (`syndicator retry` resends failed ones and checks "
                   "unknown ones first):")
        for r in data["problems"]:
            click.echo(f"  [{r['endpoint']}] {r['post_id']}: {r['state']} after {r['attempts']} "
                       f"attempt(s): {r['last_error'] or '-'}")
    if data.get("interrupted"):
        click.echo("\nsending (interrupted; settles on the next run):")
        for r in data["interrupted"]:
            click.echo(f"  [{r['endpoint']}] {r['post_id']}: attempt {r['attempts']} was on its "
                       "way when the run stopped; checked by the endpoint's rule before any resend")
    if data["retrying"]:
        click.echo("\nretrying:")
        for r in data["retrying"]:
            click.echo(f"  [{r['endpoint']}] {r['post_id']}: {r['attempts']} attempt(s), next at "
                       f"{r['next_attempt_at'] or 'next run'}: {r['last_error'] or '-'}")


@main.command("status")
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def status_command(config_path: Path | None, as_json: bool) -> None:
    """Show cross-posting per endpoint: counts by state, pauses, latest deliveries, failures."""
    import json

    from .. import crosspost

    config = open_config(config_path)
    data = crosspost.status(config)
    if config.sources:
        from ..sources.status import sources_status

        data["sources"] = sources_status(config, now=now_utc())
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _status_table(data)
        if config.sources:
            from .sources import sources_brief

            sources_brief(data["sources"])


@main.command("retry")
@CONFIG_OPTION
@click.option("--endpoint", "endpoint_name", metavar="NAME", help="Only this endpoint.")
@click.option("--post", "post_id", metavar="ID", help="Only this post (its entry id).")
@click.option("--force", is_flag=True,
              help="Resend unknown deliveries without checking first (may post twice).")
@click.option("--source", "source_name", metavar="NAME",
              help="Release this [[sources]] feed's held entries (and re-enable it after a 410).")
def retry_command(config_path: Path | None, endpoint_name: str | None, post_id: str | None,
                  force: bool, source_name: str | None) -> None:
    """Re-queue failed deliveries, settle unknown ones, and resume paused endpoints.

    The next `syndicator crosspost` (or the daemon's next pass) resends failed deliveries; an
    unknown one is first checked by its endpoint's rule and resent only if certainly absent.
    """
    from .. import crosspost

    setup_logging("info")
    config = open_config(config_path)
    if source_name is not None:
        from .sources import retry_source

        return retry_source(config, source_name)
    before = crosspost.status(config)
    done = crosspost.retry(config, endpoint=endpoint_name, post_id=post_id, now=now_utc(),
                           force=force)
    if post_id is None or endpoint_name is not None:
        for e in before["endpoints"]:
            if e["paused"] and endpoint_name in (None, e["name"]):
                click.echo(f"resumed {e['name']}")
    click.echo(f"re-queued {done.resend + done.forced} to send, {done.settle} to check first"
               + ("; run `syndicator crosspost`" if done.total else ""))
    if done.held:
        click.echo(f"kept {done.held} unknown: its endpoint cannot check whether it landed; "
                   "look, then `syndicator retry --force` to resend")
