"""Hugo's `cascade`: front matter a section's `_index.md` (or the site config) hands down.

Read as Hugo 0.111 (Debian's) applies it, checked against `hugo` in tests/test_hugo_cascade.py:
- each `_index.*` from the content folder down to the post's folder may hold `cascade:`, a table
  or a list of tables, each optionally limited by `_target` (or `target`): `path` (a glob on
  the content path, `*` within a folder, `**` across), `kind` ("page", "section"...) and
  `environment` (matched against "production", what `hugo` builds by default); `lang` is not
  checked (one language is read);
- a key the post sets itself wins; else the closest section's cascade; the site config's
  `cascade` ([posts] cascade, copied there by `init`) comes last;
- a section's cascade applies to the section itself too: a section that is a draft (by its own
  `draft` or a cascade) takes every page below it out of the feeds, whatever they say.
Values are merged by top-level key, as Hugo does. When two cascades with different `_target`s
give one page the same key, hugo 0.111 picks either at random from build to build (Go map
order); syndicator takes the closest section's, then the site config's. Pure functions of the
files' bytes; parsed `_index` files are remembered by (path, size, mtime), so each is read once
per change.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import PostError
from .frontmatter import Split, split

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["Inherited", "index_file", "inherit"]

_INDEX_NAMES = ("_index.md", "_index.markdown", "_index.html")
_TARGET_KEYS = ("_target", "target")
_ENVIRONMENT = "production"


@dataclass(frozen=True)
class Inherited:
    """A post's front matter with its cascaded keys, and which keys came from a cascade."""

    parts: Split
    keys: frozenset[str]


# (content path, front matter, cascades, whether it or its cascades say `draft`)
Section = tuple[str, dict[str, Any], tuple[dict[str, Any], ...], bool]


def inherit(config: Config, relpath: str, parts: Split) -> Inherited:
    """The post's front matter with what its sections (and the site config) cascade to it."""
    root, posts = _folders(config.path, config.posts_dir)
    path = posts + "/" + relpath
    chain = _sections(root, os.path.dirname(path))
    if not chain and not config.reading.cascade:
        return Inherited(parts, frozenset())
    layers = [c for _path, _meta, cascades, _d in reversed(chain) for c in cascades]
    layers += config.reading.cascade
    content_path = _content_path(root, path)
    own = {k.lower() for k in parts.meta}
    added: dict[str, tuple[str, Any]] = {}
    for cascade in layers:
        if not _targets(cascade, content_path, "page"):
            continue
        for key, value in cascade.items():
            low = key.lower()
            if low not in own and low not in _TARGET_KEYS and low not in added:
                added[low] = (key, value)
    meta = dict(parts.meta)
    meta.update(dict(added.values()))
    drafts = any(section[3] for section in chain) or any(_says_draft(c) for c in config.reading.cascade)
    if drafts and _draft_section(chain, config):
        draft_key = next((k for k in meta if k.lower() == "draft"), "draft")
        meta[draft_key] = True
    if meta == parts.meta:
        return Inherited(parts, frozenset())
    return Inherited(replace(parts, meta=meta), frozenset(key for key, _value in added.values()))


def _sections(root: str, folder: str) -> list[Section]:
    """The sections from the top of the site down to this folder that have an `_index` file."""
    found: list[Section] = []
    while True:
        try:
            names = _index_names(folder, os.stat(folder).st_mtime_ns)
        except OSError:
            names = ()
        for name in names:
            path = os.path.join(folder, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            meta, cascades, drafts = _read_index(path, st.st_size, st.st_mtime_ns)
            found.append((_content_path(root, path), meta, cascades, drafts))
            break
        parent = os.path.dirname(folder)
        if folder == root or parent == folder or not folder.startswith(root + os.sep):
            break
        folder = parent
    return found[::-1]


@functools.lru_cache(maxsize=4096)
def _folders(config_path: Path, posts_dir: Path) -> tuple[str, str]:
    """The site root (the config's folder) and the posts folder, as text."""
    return os.fspath(config_path.parent), os.fspath(posts_dir)


@functools.lru_cache(maxsize=4096)
def _index_names(folder: str, _folder_mtime_ns: int) -> tuple[str, ...]:
    """The `_index` files a folder holds (a folder's mtime changes when one is added or removed)."""
    return tuple(name for name in _INDEX_NAMES if os.path.isfile(os.path.join(folder, name)))


def _content_path(root: str, path: str) -> str:
    """A file's path below the content folder (the first folder under the site root): "/posts/a.md"."""
    rel = path[len(root) + 1:] if path.startswith(root + os.sep) else os.path.basename(path)
    rel = rel.replace(os.sep, "/")
    return "/" + (rel.split("/", 1)[1] if "/" in rel else rel)


@functools.lru_cache(maxsize=1024)
def _read_index(path: str, _size: int, _mtime_ns: int) -> tuple[dict[str, Any], tuple[dict[str, Any], ...], bool]:
    """An _index file's front matter, its cascade tables (none when it cannot be read: the file
    itself is reported where the walk meets it), and whether either says `draft`."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            meta = split(f.read().replace("\r\n", "\n"), path).meta
    except (OSError, UnicodeDecodeError, PostError, ValueError):
        return {}, (), False
    raw = next((v for k, v in meta.items() if k.lower() == "cascade"), None)
    tables = tuple(t for t in ([raw] if isinstance(raw, dict) else raw if isinstance(raw, list) else [])
                   if isinstance(t, dict))
    return meta, tables, any(_says_draft(m) for m in (meta, *tables))


def _says_draft(meta: dict[str, Any]) -> bool:
    return any(k.lower() == "draft" for k in meta)


def _draft_section(chain: list[Section], config: Config) -> bool:
    """Is any section above the post a draft, by its own front matter or a cascade that reaches it?"""
    for depth, (section_path, meta, _cascades, _drafts) in enumerate(chain):
        own = next((v for k, v in meta.items() if k.lower() == "draft"), None)
        if own is None:
            reaching = [c for _p, _m, cascades, _d in reversed(chain[: depth + 1]) for c in cascades]
            reaching += config.reading.cascade
            own = next((v for c in reaching if _targets(c, section_path, "section")
                        for k, v in c.items() if k.lower() == "draft"), None)
        if own is True or (isinstance(own, str) and own.strip().lower() == "true"):
            return True
    return False


def _targets(cascade: dict[str, Any], content_path: str, kind: str) -> bool:
    """Does this cascade table reach a page of this kind at this content path?"""
    target = next((v for k, v in cascade.items() if k.lower() in _TARGET_KEYS), None)
    if not isinstance(target, dict):
        return True
    wanted = {k.lower(): v for k, v in target.items()}
    if wanted.get("kind") and str(wanted["kind"]).lower() != kind:
        return False
    if wanted.get("environment") and not _glob(str(wanted["environment"])).fullmatch(_ENVIRONMENT):
        return False
    if wanted.get("path"):
        pattern = str(wanted["path"])
        pattern = pattern if pattern.startswith("/") else "/" + pattern
        if not _glob(pattern).fullmatch(content_path):
            return False
    return True


@functools.lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    """A Hugo glob: `**` crosses folders, `*` and `?` do not, `{a,b}` alternatives, `[...]` classes."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "{":
            end = pattern.find("}", i)
            if end < 0:
                out.append(re.escape(c))
            else:
                out.append("(?:" + "|".join(re.escape(o) for o in pattern[i + 1:end].split(",")) + ")")
                i = end
        elif c == "[":
            end = pattern.find("]", i)
            out.append(pattern[i:end + 1] if end > i else re.escape(c))
            i = end if end > i else i
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out), re.IGNORECASE)


def index_file(relpath: str) -> bool:
    """Is this post-folder file a section's `_index` (whose cascade reaches the files below it)?"""
    return posixpath.basename(relpath).lower() in _INDEX_NAMES
