"""posts/ -> (posts, problems), as pure steps: find the post files, parse one file into a
FileEntry and its Post, index the entries into stubs and problems (a repeated id or URL rejects
the later file). A broken post never stops the others; each problem names the file and line.

What to reparse, caching and parallel parsing are the build's business (build/scan.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..config import Config
from ..errors import PostError
from ..model import Author, Post
from .reader import FORMATS, read


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


def display_path(config: Config, relpath: str) -> str:
    """A post's path as the user knows it: relative to the config's directory when inside it."""
    root, posts = str(config.root), str(config.posts_dir)
    if posts == root:
        return relpath
    if posts.startswith(root + os.sep):
        return posts[len(root) + 1:].replace(os.sep, "/") + "/" + relpath
    return posts + "/" + relpath


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


class Stub(NamedTuple):
    """What planning feeds needs to know of a post; cheap to keep for 10,000 posts."""

    source: str
    id: str
    url: str
    slug: str
    published: float  # POSIX timestamp
    draft: bool
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    authors: tuple[Author, ...]
    digest: str

    @staticmethod
    def of(post: Post) -> "Stub":
        return Stub(post.source, post.id, post.url, post.slug, post.published.timestamp(), post.draft,
                    post.tags, post.categories, post.authors, post.digest)


FileEntry = tuple[int, int, "Stub | None", list[Problem]]  # size, mtime_ns, stub (None: rejected), problems


def parse_file(config: Config, rel: str) -> tuple[FileEntry, Post | None]:
    """Read and parse one post file: its entry, and its Post (kept without its body: see build/bodies.py)."""
    shown = display_path(config, rel)
    try:
        with open(os.path.join(config.posts_dir, rel), "rb") as handle:
            st = os.fstat(handle.fileno())
            data = handle.read()
        post, warnings = read(config, rel, data, display=shown, keep_body=False)
    except OSError as exc:
        return (0, 0, None, [Problem(shown, 0, f"cannot read the file ({exc.strerror})")]), None
    except PostError as exc:
        return (st.st_size, st.st_mtime_ns, None, [Problem(shown, exc.line, exc.message)]), None
    problems = [Problem(shown, w.line, w.message, "warning") for w in warnings]
    return (st.st_size, st.st_mtime_ns, Stub.of(post), problems), post


def index_entries(config: Config, entries: dict[str, FileEntry]) -> tuple[list[Stub], list[Problem]]:
    """Good posts' stubs in path order, and every problem (a repeated id or URL rejects the later file)."""
    stubs: list[Stub] = []
    problems: list[Problem] = []
    ids: dict[str, str] = {}
    urls: dict[str, str] = {}
    for rel in sorted(entries):
        _size, _mtime, stub, found = entries[rel]
        problems.extend(found)
        if stub is None:
            continue
        if stub.id in ids:
            problems.append(Problem(display_path(config, rel), 1, f"duplicate id {stub.id!r}: "
                                    f"already used by {display_path(config, ids[stub.id])}"))
        elif stub.url in urls:
            problems.append(Problem(display_path(config, rel), 1, f"duplicate slug {stub.slug!r}: {stub.url} "
                                    f"is already the address of {display_path(config, urls[stub.url])}"))
        else:
            ids[stub.id] = urls[stub.url] = rel
            stubs.append(stub)
    return stubs, problems
