"""[feeds.paths]: where each output file goes under the output folder, checked when the config loads.

Keys: `rss`, `atom`, `json` (the site feed of each format), `opml` (the list of every feed),
`page` (the HTML page served at `/`), and `KIND_FORMAT` patterns for the per-tag, -category and
-author feeds (`tag_rss = "tags/{slug}/index.xml"`, `category_atom = "feed/{slug}.xml"`). A pattern
left out puts that feed at `FOLDER/{slug}/NAME`, NAME being the site feed's file name, so with
`rss = "index.xml"` the tag feeds land where Hugo writes its own. One FeedPaths value travels on
`Config.feeds` to the build, the renderer, the server and the daemon; nothing else spells a name.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from .digests import sha256
from .errors import ConfigError

FORMATS = ("rss", "atom", "json")
KINDS = ("tag", "category", "author")
FOLDERS = {"tag": "tags", "category": "categories", "author": "authors"}
FILES = ("rss", "atom", "json", "opml", "page")  # one path each, no {slug}
DEFAULTS = {"rss": "rss.xml", "atom": "atom.xml", "json": "feed.json", "opml": "feeds.opml", "page": "index.html"}
KEYS = FILES + tuple(f"{kind}_{fmt}" for kind in KINDS for fmt in FORMATS)
SLUG = "{slug}"
_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f\\{}]")


@dataclass(frozen=True)
class FeedPaths:
    """Every output file's path under [feeds] output: site files by format, group feeds by pattern."""

    files: tuple[tuple[str, str], ...] = tuple(DEFAULTS.items())  # (rss|atom|json|opml|page, path)
    patterns: tuple[tuple[str, str, str], ...] = ()  # (kind, format, pattern with one {slug})

    def site(self, what: str) -> str:
        """The path of the site feed of a format, or of `opml` / `page`."""
        return dict(self.files)[what]

    def pattern(self, kind: str, fmt: str) -> str:
        """The path pattern of one kind's feeds in one format (one `{slug}` in it)."""
        for k, f, pattern in self.patterns:
            if (k, f) == (kind, fmt):
                return pattern
        return f"{FOLDERS[kind]}/{SLUG}/{self.site(fmt).rpartition('/')[2]}"

    def of(self, kind: str, slug: str, fmt: str) -> str:
        """The path of one feed: the site feed (kind "site") or a tag, category or author feed.

        A name that would put its feed on a site file (Pelican's `feeds/{slug}.atom.xml` beside
        `feeds/all.atom.xml`, for a category "all") gets a short hash after it instead.
        """
        if kind == "site":
            return self.site(fmt)
        path = self.pattern(kind, fmt).replace(SLUG, slug)
        if path in (p for _, p in self.files):
            digest = sha256(f"{kind}\0{slug}".encode("utf-8", "surrogatepass")).hexdigest()[:6]
            path = self.pattern(kind, fmt).replace(SLUG, f"{slug}-{digest}")
        return path

    def format_of(self, rel: str) -> str | None:
        """What a path under the output folder holds ("rss", "atom", "json", "opml", "page"), or None."""
        for what, path in self.files:
            if path == rel:
                return what
        for kind in KINDS:
            for fmt in FORMATS:
                if _regex(self.pattern(kind, fmt)).fullmatch(rel):
                    return fmt
        return None


@functools.lru_cache(maxsize=64)
def _regex(pattern: str) -> re.Pattern[str]:
    head, _, tail = pattern.partition(SLUG)
    return re.compile(re.escape(head) + "[^/]+" + re.escape(tail))


def parse_paths(raw: Any, *, formats: tuple[str, ...], kinds: tuple[str, ...], file: str) -> FeedPaths:
    """[feeds.paths] -> FeedPaths; ConfigError naming the key for a path that leaves the output
    folder or would not be served, and for two files (of the formats and kinds enabled) at one path."""
    from .config import suggest

    where = f"{file}: [feeds.paths]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table of file names")
    for key, value in raw.items():
        if key not in KEYS:
            raise ConfigError(f"{where} unknown key '{key}'{suggest(key, KEYS)} (known: {', '.join(KEYS)})")
        if not isinstance(value, str):
            raise ConfigError(f"{where} {key} must be a string")
        _check_path(key, value, where)
    paths = FeedPaths(tuple((k, raw.get(k, DEFAULTS[k])) for k in FILES),
                      tuple((kind, fmt, raw[f"{kind}_{fmt}"]) for kind in KINDS for fmt in FORMATS
                            if f"{kind}_{fmt}" in raw))
    if not paths.site("page").endswith(".html"):
        raise ConfigError(f"{where} page must end with .html (it is served as the page at /), "
                          f"not {paths.site('page')!r}")
    _check_clashes(paths, [*formats, "opml", "page"], [(k, f) for k in kinds for f in formats], where)
    return paths


def _check_path(key: str, value: str, where: str) -> None:
    """A relative path inside the output folder that the server serves (no dot-segments or dotfiles)."""
    shown = f"{where} {key} = {value!r}"
    templated = value.replace(SLUG, "x") if "_" in key else value
    if value.startswith("/") or value.endswith("/") or not value:
        raise ConfigError(f"{shown}: give a path under the output folder, like 'index.xml' or 'feed/all.xml' "
                          "(no leading or trailing '/')")
    if _BAD_CHARS.search(templated):
        raise ConfigError(f"{shown}: no backslashes, braces or control characters"
                          + (" (the one placeholder is {slug})" if "_" in key else ""))
    if any(part in ("", ".", "..") or part.startswith(".") for part in templated.split("/")):
        raise ConfigError(f"{shown}: would leave the output folder or be hidden "
                          "(no empty, '.' or '..' parts, no names starting with '.')")
    if "_" in key and value.count(SLUG) != 1:
        raise ConfigError(f"{shown}: needs {SLUG} once, where the tag, category or author's name goes")


def _check_clashes(paths: FeedPaths, files: list[str], groups: list[tuple[str, str]], where: str) -> None:
    """No two enabled outputs at one path, and no two patterns that can give the same path for
    some pair of names. (A pattern that can give a site file's path is fine: FeedPaths.of.)"""
    seen: dict[str, str] = {}
    for what in files:
        path = paths.site(what)
        if path in seen:
            raise ConfigError(f"{where} {seen[path]} and {what} are both {path!r}: give each its own path")
        seen[path] = what
    for n, (kind, fmt) in enumerate(groups):
        pattern = paths.pattern(kind, fmt)
        for other_kind, other_fmt in groups[n + 1:]:
            other = paths.pattern(other_kind, other_fmt)
            if overlap(pattern, other):
                raise ConfigError(f"{where} {kind}_{fmt} = {pattern!r} and {other_kind}_{other_fmt} = {other!r} "
                                  "can put two feeds at one path: give each its own folder or name")


def overlap(one: str, two: str) -> bool:
    """Whether two patterns give one path for some pair of slugs (a slug is a non-empty name without '/')."""
    (a1, _, b1), (a2, _, b2) = one.partition(SLUG), two.partition(SLUG)
    if len(a1) > len(a2):
        (a1, b1), (a2, b2) = (a2, b2), (a1, b1)
    if not a2.startswith(a1) or not (b1.endswith(b2) or b2.endswith(b1)):
        return False
    head = a2[len(a1):]  # what the first slug must start with
    if len(b2) >= len(b1):  # the first slug is head + the second + tail
        return "/" not in head + b2[:len(b2) - len(b1)]
    return _meet(head, b1[:len(b1) - len(b2)])


def _meet(head: str, tail: str) -> bool:
    """Whether some w = s1 + tail = head + s2 exists, s1 and s2 non-empty names without '/'."""
    for size in range(max(len(head), len(tail)) + 1, len(head) + len(tail) + 2):
        word = ["a"] * size
        word[:len(head)] = head
        start = size - len(tail)
        if any(word[start + i] != c for i, c in enumerate(tail) if start + i < len(head)):
            continue
        word[start:] = tail
        if "/" not in word[:start] and "/" not in word[len(head):]:
            return True
    return False
