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
@click.option("--keep-feed-paths/--new-feed-paths", default=None,
              help="Write syndicator's feeds at the old engine's feed paths ([feeds.paths]; subscribers "
                   "need no redirect; the default), or at its own (feeds/rss.xml...). Asked on a terminal.")
def init_command(source: Path, feed: str | None, keep_feed_paths: bool | None) -> None:
    """Write syndicator's config for an existing blog, reading its posts as they are.

    Writes syndicator.toml beside the engine's config (and syndicator-ids.toml with --feed);
    never edits or overwrites a file.
    """
    import sys

    from ..adopt.run import adopt, init_site

    if keep_feed_paths is None:
        keep_feed_paths = True
        preview = adopt(source)
        if preview.old_feeds and sys.stdin.isatty():
            keep_feed_paths = click.confirm(f"The old feeds lived at {', '.join(preview.old_feeds)}. Write "
                                            "syndicator's feeds at the same paths?", default=True)
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
        _feed_paths(a, keep_feed_paths)
    click.echo(f"\nposts: {result.posts} read as posts, {result.rejected} rejected. Next: `syndicator build`.")


def _feed_paths(a, keep: bool) -> None:
    """Where the old feeds lived, and how subscribers keep them."""
    from ..adopt.write import output_folder

    click.echo(f"\nthe old feeds lived at {', '.join(a.old_feeds)}.")
    if keep:
        click.echo(f"syndicator writes its feeds at those paths ([feeds.paths] above): publish the files of "
                   f"{output_folder(a)}/ at the site's root after the engine's own build, and subscribers "
                   "need no redirect (`syndicator serve` serves them at those paths).")
    else:
        click.echo("syndicator's feeds keep their own names (rss.xml, atom.xml, feed.json): redirect the old "
                   "paths to them, or run init again with --keep-feed-paths (move syndicator.toml away first).")


def _short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= 60 else value[:57] + "..."
