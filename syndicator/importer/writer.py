"""ImportItems -> post files: YAML front matter and the HTML body, one `.html` file each.

Never overwrites: a file that exists is reported and left alone. Files are written whole
(temporary file, then rename) so an interrupted import leaves no half post. Authors new to
the config are appended to config.toml as [authors.KEY] tables (name and URL only: a WordPress
export's e-mail addresses are private).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from ..config import Config
from ..config_text import author_table
from .items import ImportAuthor, ImportItem


def file_name(item: ImportItem) -> str:
    """YYYY-MM-DD-slug.html"""
    return f"{item.date:%Y-%m-%d}-{item.slug}.html"


def front_matter(item: ImportItem, author_keys: list[str]) -> dict[str, Any]:
    """The front matter mapping for one item, in a fixed order."""
    meta: dict[str, Any] = {"title": item.title, "date": item.date}
    if item.updated:
        meta["updated"] = item.updated
    meta["id"] = item.id
    if author_keys:
        meta["authors"] = author_keys
    if item.tags:
        meta["tags"] = list(item.tags)
    if item.categories:
        meta["categories"] = list(item.categories)
    if item.summary:
        meta["summary"] = item.summary
    if item.image:
        image: dict[str, Any] = {"url": item.image.url}
        if item.image.alt:
            image["alt"] = item.image.alt
        if item.image.credit:
            image["credit"] = item.image.credit
        meta["image"] = image
    if item.canonical_url:
        meta["canonical_url"] = item.canonical_url
    return meta


def render(item: ImportItem, author_keys: list[str]) -> str:
    """The post file's text."""
    head = yaml.safe_dump(front_matter(item, author_keys), sort_keys=False, allow_unicode=True,
                          width=10_000, default_flow_style=False)
    return f"---\n{head}---\n\n{item.body.strip()}\n"


def write_new(path: Path, text: str) -> bool:
    """Write `text` to `path` unless it exists (atomically); False when it existed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".import-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.link(tmp, path)  # fails if the file exists: never overwrite, even in a race
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(tmp)


def author_keys(config: Config, authors: tuple[ImportAuthor, ...],
                added: dict[str, ImportAuthor]) -> list[str]:
    """[authors] keys for these bylines: an existing key (by key or name), else a new one."""
    by_name = {a.name: k for k, a in config.authors.items()}
    keys = []
    for author in authors:
        if author.key in config.authors:
            keys.append(author.key)
        elif author.name in by_name:
            keys.append(by_name[author.name])
        else:
            added.setdefault(author.key, author)
            keys.append(author.key)
    return keys


def append_authors(config: Config, added: dict[str, ImportAuthor], *, source: str) -> None:
    """Append the new [authors.KEY] tables to config.toml."""
    if not added:
        return
    lines = [f"\n# Added by `syndicator import {source}`"]
    for key, author in sorted(added.items()):  # no e-mail: a WordPress export holds private ones
        lines += [*author_table(key, author.name, {"url": author.url}), ""]
    text = config.path.read_text(encoding="utf-8")
    sep = "" if text.endswith("\n") else "\n"
    config.path.write_text(text + sep + "\n".join(lines), encoding="utf-8")
