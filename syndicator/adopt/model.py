"""What `syndicator init` learned about a blog: values mapped, things it could not map, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Row:
    """One line of the mapping table: a syndicator setting, its value and where it came from."""

    setting: str
    value: str
    source: str


@dataclass(frozen=True)
class Gap:
    """Something of the old engine's that syndicator's config does not carry, and why."""

    what: str
    reason: str


@dataclass(frozen=True)
class AuthorEntry:
    """An author for [authors.KEY]."""

    key: str
    name: str
    url: str | None = None
    email: str | None = None
    avatar: str | None = None
    bio: str | None = None


@dataclass
class Adoption:
    """Everything `init` writes, gathered by one engine reader (mutable while it is gathered)."""

    engine: str  # "hugo", "jekyll", "zola", "eleventy", "astro", "pelican"
    root: Path
    config_files: list[str]  # the engine's own config files, relative to root
    site: dict[str, Any] = field(default_factory=dict)  # [site] keys
    authors: list[AuthorEntry] = field(default_factory=list)
    id_rule: str = "permalink"
    old_feeds: list[str] = field(default_factory=list)  # site paths of the engine's feeds
    engine_output: str = "public"  # the engine's own output folder
    reading: dict[str, Any] = field(default_factory=dict)  # more [posts] keys (exclude, categories)
    feed_items: int | None = None  # [feeds] items, when the engine's config sets how many
    feed_paths: dict[str, tuple[str, str]] = field(default_factory=dict)  # [feeds.paths] key -> (path, from)
    rows: list[Row] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    def put(self, setting: str, value: Any, source: str) -> None:
        """Set one [site] value and record where it came from."""
        if value is None or value == "":
            return
        self.site[setting] = value
        self.rows.append(Row(f"[site] {setting}", str(value), source))

    def add_authors(self, found: list[AuthorEntry], source: str) -> None:
        """Add authors (first of a key wins); the only one becomes the site's default author."""
        known = {a.key for a in self.authors}
        for entry in found:
            if entry.key not in known:
                known.add(entry.key)
                self.authors.append(entry)
                self.rows.append(Row(f"[authors.{entry.key}]", entry.name, source))
        if len(self.authors) == 1:
            self.put("author", self.authors[0].key, "the only author")

    def feed(self, key: str, path: str, source: str) -> None:
        """Note where the old engine wrote a feed, as a [feeds.paths] key (see adopt/feeds.py)."""
        self.feed_paths.setdefault(key, (path.lstrip("/"), source))

    def gap(self, what: str, reason: str) -> None:
        """Record something that could not be mapped."""
        self.gaps.append(Gap(what, reason))
