"""Helpers every engine reader shares: data files, author tables, posts folders, permalinks."""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Mapping

import yaml

from ..posts.slugs import slugify
from .model import AuthorEntry

POST_SUFFIXES = (".md", ".markdown", ".html", ".htm", ".rst", ".mdown", ".mkd")


def read_data(path: Path) -> Any:
    """A YAML, TOML or JSON data file's content; None when missing or unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            return tomllib.loads(text)
        if path.suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
        return None


def first_file(root: Path, names: tuple[str, ...]) -> Path | None:
    """The first of these files that exists below root."""
    return next((root / n for n in names if (root / n).is_file()), None)


def count_posts(folder: Path) -> int:
    """Post files below a folder (section pages `_index.*` and dotfiles not counted)."""
    total = 0
    for _dir, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        total += sum(1 for f in files if f.endswith(POST_SUFFIXES) and not f.startswith(("_index", ".")))
    return total


def busiest(parent: Path, preferred: tuple[str, ...] = ("posts", "post", "blog", "articles")) -> Path | None:
    """The child folder of `parent` holding the most posts (a preferred name wins a tie)."""
    if not parent.is_dir():
        return None
    scored = []
    for child in sorted(parent.iterdir()):
        if child.is_dir() and not child.name.startswith((".", "_")):
            count = count_posts(child)
            if count:
                scored.append((count, child.name in preferred, child))
    return max(scored, key=lambda s: (s[0], s[1]))[2] if scored else None


def author(key: str, raw: Any) -> AuthorEntry | None:
    """An author from a name or a table with name/url/email/avatar/bio (engines' spellings)."""
    if isinstance(raw, str) and raw.strip():
        return AuthorEntry(key=slugify(key), name=raw.strip())
    if not isinstance(raw, Mapping):
        return None
    name = raw.get("name") or raw.get("display_name") or raw.get("title") or key
    def pick(*keys: str) -> str | None:
        for k in keys:
            v = raw.get(k)
            if isinstance(v, str) and v.strip():
                return v.strip()
        return None
    return AuthorEntry(key=slugify(key), name=str(name), url=pick("url", "uri", "web", "website", "homepage"),
                       email=pick("email", "mail"), avatar=pick("avatar", "image", "picture", "photo"),
                       bio=pick("bio", "description", "about"))


def authors_from(table: Any) -> list[AuthorEntry]:
    """Authors from a data file: a mapping of key -> table or a list of tables with names."""
    found: list[AuthorEntry] = []
    if isinstance(table, Mapping):
        found = [a for k, v in table.items() if (a := author(str(k), v))]
    elif isinstance(table, list):
        found = [a for v in table if isinstance(v, Mapping) and
                 (a := author(str(v.get("key") or v.get("id") or v.get("name") or ""), v))]
    return [a for a in found if a.key]


def translate(pattern: str, tokens: Mapping[str, str]) -> tuple[str, list[str]]:
    """An engine's permalink pattern in syndicator's words, and the tokens it had to drop."""
    dropped: list[str] = []

    def one(m: re.Match[str]) -> str:
        token = m.group(0)
        if token in tokens:
            return tokens[token]
        dropped.append(token)
        return ""

    out = re.sub(r":[a-z_]+|\{[^}]+\}", one, pattern)
    out = re.sub(r"/{2,}", "/", out)
    if not out.startswith("/"):
        out = "/" + out
    return out, dropped
