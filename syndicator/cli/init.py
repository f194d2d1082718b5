"""`syndicator init --from DIR`: adopt an existing blog (see syndicator/adopt/)."""

from __future__ import annotations

from pathlib import Path

import click

from .app import main, now_utc


def _table(rows: list[tuple[str, str, str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        click.echo("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


@main.command("init")
@click.option("--from", "source", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The blog's folder (Hugo, Jekyll, Zola, Eleventy, Astro or Pelican).")
@click.option("--feed", metavar="FILE_OR_URL",
              help="The old engine's published feed (public/index.xml, _site/feed.xml, a saved copy "
                   "or its URL): the id of each post in it is pinned, so no subscriber sees it again.")
def init_command(source: Path, feed: str | None) -> None:
    """Write syndicator's config for an existing blog, reading its posts as they are.

    Writes syndicator.toml beside the engine's config (and syndicator-ids.toml with --feed);
    never edits or overwrites a file.
    """
    from ..adopt.run import init_site

    result = init_site(source, feed=feed, now=now_utc())
    a = result.adoption
    click.echo(f"{a.engine.capitalize()} site found ({', '.join(a.config_files) or 'its files'}); "
               f"wrote {result.config_path}")
    _table([("SETTING", "VALUE", "FROM")] + [(r.setting, _short(r.value), r.source) for r in a.rows]
           + [("[site] ids", a.id_rule, f"the item ids {a.engine.capitalize()}'s feeds publish")])
    if a.gaps:
        click.echo("\nnot mapped:")
        _table([("WHAT", "WHY", "")] + [(g.what, g.reason, "") for g in a.gaps])
    if result.pinned is not None:
        p = result.pinned
        click.echo(f"\nids: {len(p.pairs)} of {p.entries} entries in {feed} pinned in {result.ids_path.name} "
                   f"({p.same} equal to what the rule gives); keep it under version control")
        for link in p.unmatched[:10]:
            click.echo(f"  not a post here: {link}")
    if a.old_feeds:
        click.echo(f"\nthe old feeds lived at {', '.join(a.old_feeds)}. To keep subscribers without a "
                   "redirect, publish syndicator's feed at the same path (see README, Bring your blog).")
    click.echo(f"\nposts: {result.posts} read, {result.rejected} rejected. Next: `syndicator build`.")


def _short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= 60 else value[:57] + "..."
