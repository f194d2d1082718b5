"""`syndicator import SOURCE [--to DIR]`: bring a blog's posts into the posts folder."""

from __future__ import annotations

from pathlib import Path

import click

from .app import CONFIG_OPTION, main, now_utc, open_config, setup_logging


@main.command("import")
@CONFIG_OPTION
@click.argument("source")
@click.option("--to", "to", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write the posts to (default: the posts folder, [site] posts).")
def import_command(config_path: Path | None, source: str, to: Path | None) -> None:
    """Import SOURCE, a WordPress export (WXR) file, a feed file or a feed URL, as post files.

    One .html post per published entry, front matter with its original id, so readers of the
    old feed see no duplicates. Drafts, private posts, pages and attachments are skipped and
    counted. Existing files are never overwritten.
    """
    from ..importer import import_blog

    setup_logging("warning")
    config = open_config(config_path)
    report = import_blog(config, source, to=to, now=now_utc())
    for path in report.written:
        click.echo(f"wrote {path}")
    for path in report.existing:
        click.echo(f"kept {path} (exists; not overwritten)")
    for old, new in report.renamed:
        click.echo(f"id {old} was used by an earlier post too; this one gets {new}")
    if report.authors_added:
        click.echo(f"added to [authors] in {config.path.name}: {', '.join(report.authors_added)}")
    skipped = ", ".join(f"{n} {why}" for why, n in sorted(report.skipped.items()))
    click.echo(f"{len(report.written)} post(s) written" + (f"; skipped: {skipped}" if skipped else ""))
