"""Which feeds the output directory holds: site-wide, per author, category and tag."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ...config import Config
from .entries import read_json

# (file name, MIME type, label), in the order shown.
FORMATS = (
    ("rss.xml", "application/rss+xml", "RSS"),
    ("atom.xml", "application/atom+xml", "Atom"),
    ("feed.json", "application/feed+json", "JSON Feed"),
)
GROUPS = (("authors", "By author"), ("categories", "By category"), ("tags", "By tag"))


@dataclass(frozen=True)
class FeedSet:
    """The feeds in one directory: `path` relative to the output ("" for the site)."""

    kind: str  # "site", "authors", "categories", "tags"
    key: str
    title: str
    path: str
    files: tuple[tuple[str, str, str], ...]  # (href, MIME type, label)


def discover(config: Config) -> list[FeedSet]:
    """The feed directories present in the output, site first, then authors, categories, tags."""
    out = config.feeds.output
    sets = []
    site = _feed_set(out, "", "site", "", "All posts")
    if site:
        sets.append(site)
    for kind, _ in GROUPS:
        base = out / kind
        try:
            keys = sorted(n for n in os.listdir(base) if not n.startswith(".") and (base / n).is_dir())
        except OSError:
            continue
        for key in keys:
            fs = _feed_set(out, f"{kind}/{key}", kind, key, _title(config, out / kind / key, kind, key))
            if fs:
                sets.append(fs)
    return sets


def _feed_set(out: Path, rel: str, kind: str, key: str, title: str) -> FeedSet | None:
    prefix = f"{rel}/" if rel else ""
    files = tuple((quote(prefix + name), mime, label) for name, mime, label in FORMATS
                  if (out / prefix / name).is_file())
    return FeedSet(kind, key, title, rel, files) if files else None


def _title(config: Config, directory: Path, kind: str, key: str) -> str:
    if kind == "authors" and config.author(key):
        return config.author(key).name
    data = read_json(directory / "feed.json")
    title = data.get("title") if isinstance(data, dict) else None
    site = config.site.title
    if isinstance(title, str) and title.strip():
        # Under a "By tag" heading, 'Site: posts tagged “craft”' reads best as 'craft'.
        quoted = re.search(r'[“"«]([^“”"«»]+)[”"»]\s*$', title)
        if quoted:
            return quoted.group(1)
        for sep in (": ", " – ", " — ", " - ", " | "):
            if title.startswith(site + sep):
                return title[len(site) + len(sep):]
        return title.strip()
    return key
