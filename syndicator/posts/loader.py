"""posts/ -> (posts, problems): discover files, parse the changed ones (on both cores when there
are many), reuse the cache for the rest, and reject duplicates. A broken post never stops the
others; each problem names the file and line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

from ..build.cache import Cache, dumps, loads
from ..build.parallel import fork_map
from ..config import Config
from ..errors import NotAPost, PostError
from ..model import Author, Post
from .frontmatter import body_of
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
    expires: float | None = None  # POSIX timestamp: the post leaves the feeds then

    @staticmethod
    def of(post: Post) -> "Stub":
        return Stub(post.source, post.id, post.url, post.slug, post.published.timestamp(), post.draft,
                    post.tags, post.categories, post.authors, post.digest,
                    post.expires.timestamp() if post.expires else None)


Entry = tuple[int, int, "Stub | None", list[Problem]]  # size, mtime_ns, stub, problems
_CONFIG: Config | None = None  # set in the parent before worker processes fork


def _parse(rel: str) -> tuple[str, bytes, bytes | None]:
    """Parse one file (in a worker process): its entry and its post, pickled for the cache."""
    config = _CONFIG
    assert config is not None
    shown = display_path(config, rel)
    path = os.path.join(config.posts_dir, rel)
    try:
        with open(path, "rb") as handle:
            st = os.fstat(handle.fileno())
            data = handle.read()
        # Posts are kept without bodies: only posts that reach a feed need one (hydrate()).
        post, warnings = read(config, rel, data, display=shown, keep_body=False)
    except OSError as exc:
        entry: Entry = (0, 0, None, [Problem(shown, 0, f"cannot read the file ({exc.strerror})")])
        return rel, dumps(entry, config.authors), None
    except PostError as exc:
        entry = (st.st_size, st.st_mtime_ns, None, [Problem(shown, exc.line, exc.message)])
        return rel, dumps(entry, config.authors), None
    except NotAPost:  # a section page: remembered, so it is not read again, and not reported
        entry = (st.st_size, st.st_mtime_ns, None, [])
        return rel, dumps(entry, config.authors), None
    problems = [Problem(shown, w.line, w.message, "warning") for w in warnings]
    entry = (st.st_size, st.st_mtime_ns, Stub.of(post), problems)
    return rel, dumps(entry, config.authors), dumps(post, config.authors)


def _parse_all(config: Config, rels: list[str],
               progress: Progress | None) -> Iterable[tuple[str, bytes, bytes | None]]:
    global _CONFIG
    _CONFIG = config  # inherited by the forked workers
    return fork_map(_parse, rels, min_items=_PARALLEL_FROM, chunksize=64, progress=progress, ordered=False)


@dataclass
class Scan:
    """The posts directory as last seen: a stub per good file, full posts fetched on demand."""

    config: Config
    entries: dict[str, Entry]
    fresh: dict[str, bytes]  # posts parsed this time, pickled (see cache.dumps)
    cache: Cache | None
    files: int = 0
    parsed: int = 0

    def index(self) -> tuple[list[Stub], list[Problem]]:
        """Good posts' stubs in path order, and every problem (a repeated id or URL rejects the later file)."""
        stubs: list[Stub] = []
        problems: list[Problem] = []
        ids: dict[str, str] = {}
        urls: dict[str, str] = {}
        config = self.config
        for rel in sorted(self.entries):
            _size, _mtime, stub, found = self.entries[rel]
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

    def posts(self, stubs: Iterable[Stub]) -> list[Post]:
        """Full posts (without bodies) for these stubs, in the same order."""
        wanted = [s.source for s in stubs]
        authors = self.config.authors
        found = {rel: loads(self.fresh[rel], authors) for rel in wanted if rel in self.fresh}
        missing = [rel for rel in wanted if rel not in found]
        if self.cache is not None and missing:
            found.update(self.cache.posts(missing))
        for rel in missing:
            if rel not in found:  # not in the cache (damaged or deleted): parse the file again
                global _CONFIG
                _CONFIG = self.config
                _rel, _entry, data = _parse(rel)
                if data is not None:
                    found[rel] = loads(data, authors)
        return [found[rel] for rel in wanted if rel in found]


def scan(config: Config, *, cache: Cache | None = None, progress: Progress | None = None) -> Scan:
    """Find post files; parse the new and changed ones (both cores when many), reuse the rest."""
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
    fresh: dict[str, bytes] = {}
    changed: dict[str, tuple[bytes, bytes | None]] = {}
    for rel, entry, post in _parse_all(config, sorted(stale), progress):
        entries[rel] = loads(entry, config.authors)
        changed[rel] = (entry, post)
        if post is not None:
            fresh[rel] = post
    gone = [rel for rel in old if rel not in files]
    if cache is not None and (changed or gone):
        cache.save(entries, changed, gone)
    return Scan(config, entries, fresh, cache, files=len(files), parsed=len(stale))


def load_posts(config: Config, *, bodies: bool = True, cache: Cache | None = None,
               progress: Progress | None = None) -> LoadResult:
    """Read every post under config.posts_dir. `bodies=False` leaves Post.body empty (see hydrate)."""
    found = scan(config, cache=cache, progress=progress)
    stubs, problems = found.index()
    posts = found.posts(stubs)
    result = LoadResult(posts=hydrate(config, posts) if bodies else posts, problems=problems,
                        files=found.files, parsed=found.parsed)
    return result


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
