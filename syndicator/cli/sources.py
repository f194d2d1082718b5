"""`syndicator sources` and the --source options of `crosspost` and `retry`: feed sources."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..config import Config
from .app import CONFIG_OPTION, main, now_utc, open_config


@main.command("sources")
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def sources_command(config_path: Path | None, as_json: bool) -> None:
    """List each [[sources]] feed: last fetch, status, ETag/Last-Modified, entries, held, next poll."""
    from ..sources.status import sources_status

    config = open_config(config_path)
    rows = sources_status(config, now=now_utc())
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("no [[sources]] in the config")
    for row in rows:
        click.echo(f"{row['name']}  {row['url']}")
        click.echo(f"  status: {row['status']}" + (f" ({row['failures']} failed in a row: "
                                                   f"{row['last_error']})" if row["failures"] else ""))
        click.echo(f"  last fetch: {row['last_fetch'] or 'never'}   next poll: "
                   f"{row['next_poll'] or '-'}   every {row['every']} s")
        click.echo(f"  etag: {row['etag'] or '-'}   last-modified: {row['last_modified'] or '-'}")
        counts = ", ".join(f"{n} {s}" for s, n in sorted(row["counts"].items())) or "none"
        click.echo(f"  entries seen: {row['entries_seen']} ({counts})")
        if row["held"]:
            click.echo(f"  held: {len(row['held'])} entries (release with `syndicator retry "
                       f"--source {row['name']}`): " + "; ".join(row["held"][:5])
                       + (" …" if len(row["held"]) > 5 else ""))


def sources_brief(rows: list[dict]) -> None:
    """The sources part of `syndicator status`: one line each, and what they hold."""
    click.echo("\nsources:")
    for row in rows:
        held = f", {len(row['held'])} held (`syndicator retry --source {row['name']}`)" \
            if row["held"] else ""
        click.echo(f"  {row['name']}: {row['status']}, {row['entries_seen']} entries seen{held}, "
                   f"next poll {row['next_poll'] or '-'}")


def crosspost_source(config: Config, name: str, *, dry_run: bool, backfill: int | None) -> None:
    """`crosspost --source NAME`: poll that source now and deliver what is due for it."""
    if dry_run:
        from ..sources.preview import dry_run as preview
        from .crosspost import _print_preview

        report = preview(config, name, now=now_utc(), backfill=backfill)
        for note in report.notes:
            click.echo(f"note: {note}", err=True)
        _print_preview(report)
        return
    from ..sources.run import run

    result = run(config, now=now_utc(), only=name, backfill=backfill)
    for poll in result.polls:
        click.echo(poll.line())
    for name_, reason in sorted(result.delivery.paused.items()):
        click.echo(f"paused: {name_}: {reason}", err=True)
    click.echo(result.delivery.summary())
    failed = any(p.outcome in ("failed", "gone") for p in result.polls)
    if failed or result.delivery.paused or result.delivery.count("failed"):
        sys.exit(1)


def retry_source(config: Config, name: str) -> None:
    """`retry --source NAME`: release held entries and re-enable the source."""
    from ..sources.status import release

    count, was_disabled = release(config, name, now=now_utc())
    if was_disabled:
        click.echo(f"source {name} re-enabled")
    click.echo(f"released {count} held entr{'y' if count == 1 else 'ies'} of {name}"
               + ("; run `syndicator crosspost --source " + name + "` to send" if count else ""))
