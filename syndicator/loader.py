"""posts/ -> (posts, problems): discover files, parse the changed ones (on both cores when there
are many), reuse the cache for the rest, and reject duplicates. A broken post never stops the
others; each problem names the file and line.
"""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable

from .cache import Cache, Entry
from .config import Config
from .errors import PostError
from .frontmatter import body_of
from .model import Post
from .reader import FORMATS, decode, read

Progress = Callable[[int, int], None]
_PARALLEL_FROM = 400  # below this, starting worker processes costs more than it saves


@dataclass(frozen=True)
class Problem:
    """Something wrong with one file: `path:line: message`."""

    path: str
    line: int
    message: str
    severity: str = "error"  # "error" rejects the post; "warning" does not

    def __str__(self) -> str:
        tag = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {tag}{self.message}"


@dataclass
class LoadResult:
    """What the loader found."""

    posts: list[Post]  # every good post, drafts and future ones included, in path order
    problems: list[Problem] = field(default_factory=list)
    files: int = 0  # post files seen
    parsed: int = 0  # files parsed this time (the rest came from the cache)

    @property
    def rejected(self) -> int:
        """Files that did not become a post."""
        return len({p.path for p in self.problems if p.severity == "error"})


def display_path(config: Config, relpath: str) -> str:
    """A post's path as the user knows it: relative to the config's directory when inside it."""
    full = config.posts_dir / relpath
    try:
        return full.relative_to(config.root).as_posix()
    except ValueError:
        return full.as_posix()


def discover(posts_dir: Path) -> dict[str, tuple[int, int]]:
    """relpath -> (size, mtime_ns) of every post file below posts_dir (dotfiles skipped)."""
    found: dict[str, tuple[int, int]] = {}
    stack = [("", str(posts_dir))]
    while stack:
        prefix, directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.name.endswith("~"):
                continue  # editors' temporary and backup files
            rel = prefix + entry.name
            try:
                if entry.is_dir():
                    stack.append((rel + "/", entry.path))
                elif entry.is_file() and os.path.splitext(entry.name)[1].lower() in FORMATS:
                    st = entry.stat()
                    found[rel] = (st.st_size, st.st_mtime_ns)
            except OSError:
                continue
    return found


_CONFIG: Config | None = None  # set in the parent before worker processes fork


def _parse(rel: str) -> tuple[str, Entry]:
    config = _CONFIG
    assert config is not None
    shown = display_path(config, rel)
    path = config.posts_dir / rel
    try:
        st = path.stat()
        data = path.read_bytes()
        post, warnings = read(config, rel, data, display=shown)
    except OSError as exc:
        return rel, (0, 0, None, [Problem(shown, 0, f"cannot read the file ({exc.strerror})")])
    except PostError as exc:
        return rel, (st.st_size, st.st_mtime_ns, None, [Problem(shown, exc.line, exc.message)])
    problems = [Problem(shown, w.line, w.message, "warning") for w in warnings]
    # The cache keeps posts without bodies: only posts that reach a feed need one (hydrate()).
    return rel, (st.st_size, st.st_mtime_ns, replace(post, body=""), problems)


def _parse_all(config: Config, rels: list[str], jobs: int, progress: Progress | None) -> Iterable[tuple[str, Entry]]:
    global _CONFIG
    _CONFIG = config
    total = len(rels)
    if jobs > 1 and total >= _PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods():
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for n, item in enumerate(pool.imap_unordered(_parse, rels, chunksize=64), 1):
                if progress and n % 256 == 0:
                    progress(n, total)
                yield item
    else:
        for n, rel in enumerate(rels, 1):
            if progress and n % 256 == 0:
                progress(n, total)
            yield _parse(rel)


def load_posts(config: Config, *, bodies: bool = True, cache: Cache | None = None,
               jobs: int | None = None, progress: Progress | None = None) -> LoadResult:
    """Read every post under config.posts_dir. `bodies=False` leaves Post.body empty (see hydrate)."""
    files = discover(config.posts_dir)
    old = cache.entries() if cache else {}
    entries: dict[str, Entry] = {}
    stale = []
    for rel, (size, mtime) in files.items():
        hit = old.get(rel)
        if hit is not None and hit[0] == size and hit[1] == mtime:
            entries[rel] = hit
        else:
            stale.append(rel)
    for rel, entry in _parse_all(config, sorted(stale), jobs or os.cpu_count() or 1, progress):
        entries[rel] = entry
    if cache is not None and (stale or len(old) != len(entries)):
        cache.save_entries(entries)
    result = _collect(config, entries)
    result.files, result.parsed = len(files), len(stale)
    if bodies:
        result.posts = hydrate(config, result.posts)
    return result


def _collect(config: Config, entries: dict[str, Entry]) -> LoadResult:
    """Posts and problems in path order; a later file repeating an id or URL is rejected."""
    posts: list[Post] = []
    problems: list[Problem] = []
    ids: dict[str, str] = {}
    urls: dict[str, str] = {}
    for rel in sorted(entries):
        _size, _mtime, post, found = entries[rel]
        problems.extend(found)
        if post is None:
            continue
        shown = display_path(config, rel)
        if post.id in ids:
            problems.append(Problem(shown, 1, f"duplicate id {post.id!r}: already used by {ids[post.id]}"))
        elif post.url in urls:
            problems.append(Problem(shown, 1, f"duplicate slug {post.slug!r}: {post.url} is already "
                                              f"the address of {urls[post.url]}"))
        else:
            ids[post.id] = urls[post.url] = shown
            posts.append(post)
    return LoadResult(posts=posts, problems=problems)


def hydrate(config: Config, posts: Iterable[Post]) -> list[Post]:
    """The same posts with their bodies read back from their files."""
    out = []
    for post in posts:
        if post.body:
            out.append(post)
            continue
        try:
            text = decode((config.posts_dir / post.source).read_bytes(), post.source)
        except (OSError, PostError):
            text = ""  # vanished or broken since it was parsed; the next build reports it
        out.append(replace(post, body=body_of(text)))
    return out
