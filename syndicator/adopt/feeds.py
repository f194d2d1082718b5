"""The old engine's feed paths -> [feeds.paths] and [feeds] url, so that syndicator's feeds land
where subscribers already have them (issue 10: "Feed paths").

Each engine reader notes its feeds with Adoption.feed(key, path, source). Here they become
settings that parse_paths accepts: a pattern that would put two feeds at one path (Pelican puts
category and author feeds at the same `feeds/{slug}.atom.xml`) is left at syndicator's own and
said why, and an old feed no setting covers (Hugo's section feed) is named with advice.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import FEED_FORMATS
from ..errors import ConfigError
from ..feed_paths import KINDS, FeedPaths, parse_paths
from .model import Adoption, Gap, Row

ROOT_URL = "./"  # [feeds] url: the output folder is published at the site's root
PAGE = "feeds.html"  # syndicator's page, so that publishing at the root leaves the blog's index.html alone


@dataclass(frozen=True)
class KeptPaths:
    """[feeds] settings that keep the old feed paths, and the table rows and gaps that say so."""

    settings: dict[str, str]  # [feeds.paths] keys
    rows: list[Row]
    gaps: list[Gap]


def kept_paths(a: Adoption) -> KeptPaths:
    """The [feeds.paths] that put each of the old engine's feeds where it was."""
    chosen: dict[str, str] = {}
    gaps, paths = [], FeedPaths()
    for key, (path, source) in sorted(a.feed_paths.items(), key=lambda kv: "_" in kv[0]):  # site files first
        try:
            paths = parse_paths(chosen | {key: path, "page": PAGE}, formats=FEED_FORMATS, kinds=KINDS, file="init")
        except ConfigError as exc:
            gaps.append(Gap(f"{source} ({path})", str(exc).split("] ", 1)[-1] + "; left at syndicator's own"))
            continue
        chosen[key] = path
    chosen["page"] = PAGE
    rows = [Row(f"[feeds.paths] {key}", path, a.feed_paths[key][1]) for key, path in chosen.items() if key != "page"]
    rows.append(Row("[feeds.paths] page", PAGE, "syndicator's page, so the blog's own index.html stays"))
    rows.append(Row("[feeds] url", ROOT_URL, "the site's root, where the old feeds were"))
    gaps += [Gap(old, f"{a.engine.capitalize()}'s feed here is not one syndicator writes; redirect it to "
                 f"/{paths.site(_nearest(paths, old))}, or copy that file here when you deploy")
             for old in a.old_feeds if not _written(paths, old)]
    return KeptPaths(chosen, rows, gaps)


def _written(paths: FeedPaths, old: str) -> bool:
    """Whether syndicator writes a feed at this old path (a TAG-like placeholder matches a pattern)."""
    rel = old.lstrip("/")
    return paths.format_of(rel) in FEED_FORMATS or paths.format_of(rel.replace("TAG", "x")) in FEED_FORMATS


def _nearest(paths: FeedPaths, old: str) -> str:
    """The format of syndicator's site feed to point an unwritten old feed at."""
    name = old.rsplit("/", 1)[-1]
    return next((fmt for fmt in FEED_FORMATS if paths.site(fmt).rsplit("/", 1)[-1] == name),
                "atom" if "atom" in name else "rss")
