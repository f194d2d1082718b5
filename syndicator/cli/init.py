"""`syndicator init --from DIR`: adopt an existing blog (see syndicator/adopt/)."""

from __future__ import annotations

from pathlib import Path

import click

from ..adopt.write import output_folder
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
@click.option("--keep-feed-paths/--new-feed-paths", default=None,
              help="Write syndicator's site feed at the old engine's feed path (so subscribers need "
                   "no redirect), or at its own (feeds/rss.xml...). Asked on a terminal.")
def init_command(source: Path, feed: str | None, keep_feed_paths: bool | None) -> None:
    """Write syndicator's config for an existing blog, reading its posts as they are.

    Writes syndicator.toml beside the engine's config (and syndicator-ids.toml with --feed);
    never edits or overwrites a file.
    """
    import sys

    from ..adopt.run import adopt, init_site
    from ..adopt.write import same_paths

    if keep_feed_paths is None:
        keep_feed_paths = False
        paths = same_paths(adopt(source))
        if paths and sys.stdin.isatty():
            names = ", ".join(f"{fmt} -> {paths['url']}{n}" for fmt, n in paths["names"].items())
            keep_feed_paths = click.confirm(f"The old feed lived at {adopt(source).old_feeds[0]}. "
                                            f"Write syndicator's there too ({names})?", default=True)
    result = init_site(source, feed=feed, now=now_utc(), keep_feed_paths=keep_feed_paths)
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
        click.echo(f"\nthe old feeds lived at {', '.join(a.old_feeds)}.")
        if keep_feed_paths:
            click.echo(f"syndicator's site feed is written at the same path: publish the files of "
                       f"{output_folder(a)}/ at the site's root (after the engine's own build) and "
                       "subscribers need no redirect.")
        else:
            click.echo("to write syndicator's feed at the same path, so subscribers need no redirect, "
                       "run init again with --keep-feed-paths (move syndicator.toml away first).")
    click.echo(f"\nposts: {result.posts} read as posts, {result.rejected} rejected. Next: `syndicator build`.")


def _short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= 60 else value[:57] + "..."
