"""posts/ -> (posts, problems), as plain steps: find the post files, parse one file into a
FileEntry and its Post, index the entries into stubs and problems (a repeated id or URL rejects
the later file). A broken post never stops the others; each problem names the file and line.

What to reparse, caching and parallel parsing are the build's business (build/scan.py).
"""

from __future__ import annotations

import functools
import logging
import os
import stat
import sys
from dataclasses import dataclass
from datetime import timezone
from operator import itemgetter
from typing import Callable, Mapping, NamedTuple

from ..config import Config
from ..errors import NotAPost, PostError
from ..model import Author, Post
from .claims import Claim, settle
from .problem import Problem
from .reader import read
from .walk import FORMATS, discover, display_path  # noqa: F401 (re-exported)

logger = logging.getLogger(__name__)
_new_tuple = tuple.__new__  # a NamedTuple made from its fields in order, without its Python __new__


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
        # Stub(...), made as its __new__ makes it (a NamedTuple's __new__ is Python code)
        return _new_tuple(Stub, (post.source, post.id, post.url, post.slug, post.published.timestamp(), post.draft,
                                 post.tags, post.categories, post.authors, post.digest,
                                 post.expires.timestamp() if post.expires else None))

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # unpickled through _stub: every stub of a build shares its tag and category names
        return _stub, tuple(self)


def _stub(source: str, id: str, url: str, slug: str, published: float, draft: bool, tags: tuple[str, ...],
          categories: tuple[str, ...], authors: tuple[Author, ...], digest: str, expires: float | None = None) -> Stub:
    """A Stub as unpickled: its names are the process's one copy (a scan's workers pickle each chunk
    apart, so 100,000 posts tagged from a few hundred names would otherwise hold 400,000 strings)."""
    try:
        tags, categories = _names(tags), _names(categories)
    except TypeError:  # not a tuple of plain strings (never made by the reader): kept as it came
        pass
    if type(authors) is tuple:
        authors = _authors(authors)
    return _new_tuple(Stub, (source, id, url, slug, published, draft, tags, categories, authors, digest, expires))


def _authors(authors: tuple[Author, ...]) -> tuple[Author, ...]:
    """The one shared copy of this tuple of authors (the config's, by reference: a few hundred at most),
    found by the objects' identities: an Author's own hash is Python code, run per author per stub."""
    kept = _kept_authors(tuple(map(id, authors)))
    if not kept:
        kept.append(authors)  # kept alive by the cache: no other object takes these ids while it holds them
    return kept[0]


@functools.lru_cache(maxsize=256)
def _kept_authors(ids: tuple[int, ...]) -> list[tuple[Author, ...]]:
    """The place where the tuple of the authors with these ids is kept (empty until it is)."""
    return []


@functools.lru_cache(maxsize=4096)
def _names(names: tuple[str, ...]) -> tuple[str, ...]:
    """The one shared copy of this tuple of names (a post's tags or categories), each name interned."""
    return tuple(map(sys.intern, names))


# size, mtime_ns, stub (None: rejected), problems (a tuple: () for most files, shared, where a list costs 56 bytes)
FileEntry = tuple[int, int, "Stub | None", tuple[Problem, ...]]


def parse_file(config: Config, rel: str) -> tuple[FileEntry, Post | None]:
    """Read and parse one post file: its entry, and its Post (kept without its body: see build/bodies.py).

    Whatever goes wrong with this one file becomes a problem naming it: the build goes on.
    """
    return PostFiles.of(config).parse(rel)


@dataclass(frozen=True)
class PostFiles:
    """Parses one config's post files: where they are and how they are shown, worked out once for
    many files (a scan worker parses a task of 64 with one)."""

    config: Config
    folder: str  # the posts folder, ending in "/"
    shown: str  # what comes before a relative path in messages (display_path)
    limit: int  # [limits] max_post_bytes

    @classmethod
    def of(cls, config: Config) -> "PostFiles":
        """The parser for this config's posts folder."""
        folder = str(config.posts_dir)
        return cls(config, folder if not folder or folder.endswith("/") else folder + "/", display_path(config, ""),
                   config.limits.max_post_bytes)

    def parse(self, rel: str) -> tuple[FileEntry, Post | None]:
        """parse_file(config, rel)."""
        shown = self.shown + rel  # display_path(config, rel)
        try:
            st, data = read_post_bytes(rel if rel.startswith("/") else self.folder + rel,  # os.path.join(folder, rel)
                                       limit=self.limit)
        except OSError as exc:
            return (0, 0, None, (Problem(shown, 0, f"cannot read the file ({exc.strerror or exc})"),)), None
        except PostError as exc:
            return (0, 0, None, (Problem(shown, exc.line, exc.message),)), None
        try:
            post, warnings = read(self.config, rel, data, display=shown, keep_body=False)
            post.published.astimezone(timezone.utc)  # every feed format needs both in UTC;
            if post.updated is not post.published:  # OverflowError near year 1 or 9999
                post.updated.astimezone(timezone.utc)
            stub = Stub.of(post)
        except PostError as exc:
            return (st.st_size, st.st_mtime_ns, None, (Problem(shown, exc.line, exc.message),)), None
        except NotAPost:  # a section page: remembered, so it is not read again, and not reported
            return (st.st_size, st.st_mtime_ns, None, ()), None
        except Exception as exc:  # a bug or an input nobody foresaw: this post only, never the build
            logger.debug("reading %s failed", shown, exc_info=True)
            detail = f"{type(exc).__name__}: {exc}"[:300]
            return (st.st_size, st.st_mtime_ns, None,
                    (Problem(shown, 1, f"could not read this post ({detail}); skipped"),)), None
        # Problem(shown, line, message, "warning") each, made as its __new__ makes it (a 20,000-warning site)
        problems = tuple([_new_tuple(Problem, (shown, w.line, w.message, "warning")) for w in warnings]) if warnings else ()
        return (st.st_size, st.st_mtime_ns, stub, problems), post


_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)  # a FIFO must not block


def read_post_bytes(path: str, *, limit: int) -> tuple[os.stat_result, bytes]:
    """A post file's stat and bytes; a non-regular file or one over `limit` bytes is a PostError, unread."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise PostError("not a regular file; skipped", path=path, line=0)
        if st.st_size > limit:
            raise PostError(f"the file is {st.st_size:,} bytes, over the limit of {limit:,} "
                            "([limits] max_post_bytes); not read", path=path, line=1)
        data = _read_upto(fd, min(st.st_size, limit) + 1, limit + 1)  # one read() for a file as stat saw it
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew after the check
        raise PostError(f"the file is over the limit of {limit:,} bytes ([limits] max_post_bytes); not read",
                        path=path, line=1)
    return st, data


def _read_upto(fd: int, first: int, most: int) -> bytes:
    """Up to `most` bytes from fd: one read of `first` bytes, more only while the file keeps giving."""
    data = os.read(fd, first)
    if len(data) < first:
        return data  # end of file (a read of a regular file is short only there)
    parts = [data]
    size = len(data)
    while size < most:
        more = os.read(fd, min(most - size, 1 << 20))
        if not more:
            break
        parts.append(more)
        size += len(more)
    return b"".join(parts)


def index_entries(config: Config, entries: Mapping[str, FileEntry], *,
                  incumbent: Callable[[Claim], bool] = lambda claim: False) -> tuple[list[Stub], list[Problem]]:
    """Good posts' stubs in path order, and every problem.

    When two files claim one id or address, the one `incumbent` says was published keeps it
    (else the earlier date, then the path: see claims.py) and the other is rejected.
    """
    good: list[Stub] = []
    problems: list[Problem] = []
    for rel in sorted(entries):  # one entry at a time: build/columns.py makes each as it is asked for
        _size, _mtime, stub, own = entries[rel]
        if own:
            problems += own
        if stub is not None:
            good.append(stub)
    kept, rejected = settle(good, incumbent=incumbent, shown=lambda rel: display_path(config, rel))
    if rejected:
        problems += [Problem(display_path(config, rel), 1, message) for rel, message in rejected]
    problems.sort(key=itemgetter(0))  # by path (stable: a file's own problems first, then its rejection)
    return kept, problems  # type: ignore[return-value]


def contested(entries: Mapping[str, FileEntry]) -> bool:
    """Whether two good files claim one id or one address (only then does history matter)."""
    ids: set[str] = set()
    urls: set[str] = set()
    for _size, _mtime, stub, _problems in entries.values():
        if stub is None:
            continue
        if stub.id in ids or stub.url in urls:
            return True
        ids.add(stub.id)
        urls.add(stub.url)
    return False
