"""posts/ -> every post file below it, reading each folder once whatever links it holds.

Links to folders are followed (a writer may link in a folder kept elsewhere), but every folder
is known by its device and inode: a link back to a folder above it is a loop, reported once
and not entered; a second way into a folder already read is reported once and skipped. Real
folders are read before linked ones, so a folder is named by its own path when it has one.
Names starting with "." (and editors' backups ending in "~") are skipped.
"""

from __future__ import annotations

import functools
import os
from collections import deque
from operator import itemgetter
from stat import S_ISDIR, S_ISLNK, S_ISREG
from typing import TYPE_CHECKING, Iterable, NamedTuple

from .problem import Problem

if TYPE_CHECKING:
    from ..config import Config

# The files that are posts, by extension, and how each is written.
# MDX (Astro and others) is Markdown with JavaScript, which posts/mdx.py removes.
FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".rst": "rst",
           ".mdown": "markdown", ".mkd": "markdown", ".mdx": "mdx"}

FolderKey = tuple[int, int]  # (st_dev, st_ino)
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)


class Found(NamedTuple):
    """What a walk found: post files and, per link loop or repeated folder, one message.

    A NamedTuple rather than a dataclass: the walk is what a no-op `syndicator build` loads,
    and the dataclasses module (with inspect) would be a tenth of its start-up.
    """

    files: dict[str, tuple[int, int]]  # relpath ("/"-separated) -> (size, mtime_ns)
    notes: list[tuple[str, str]]  # (relpath, message)
    folders: int = 0  # folders read


class _Folder(NamedTuple):
    rel: str  # "" for the posts folder, else "a/b/"
    path: str
    chain: tuple[FolderKey, ...]  # this folder's key and those of the folders above it


def walk(posts_dir: str | os.PathLike[str], *, suffixes: Iterable[str]) -> Found:
    """Every file below posts_dir whose lower-cased extension is in `suffixes`."""
    wanted = tuple(s.lower() for s in suffixes)
    files: dict[str, tuple[int, int]] = {}
    notes: list[tuple[str, str]] = []
    try:
        st = os.stat(posts_dir)
    except OSError as exc:
        return Found(files, [("", f"cannot read the posts folder ({exc.strerror})")])
    root_key = (st.st_dev, st.st_ino)
    seen: dict[FolderKey, str] = {root_key: ""}
    real: deque[_Folder] = deque([_Folder("", os.fspath(posts_dir), (root_key,))])
    linked: deque[tuple[_Folder, str, str, os.stat_result]] = deque()  # (parent, rel, path, stat)
    count = 0
    while real or linked:
        if not real:
            parent, rel, path, target = linked.popleft()
            folder = _enter(parent, rel, path, target, seen, notes)
            if folder is None:
                continue
            real.append(folder)
        folder = real.popleft()
        count += 1
        for name, target, is_link in _read(folder, wanted, files, notes):  # its folders, by name
            rel = folder.rel + name
            if is_link:
                linked.append((folder, rel, os.path.join(folder.path, name), target))
            else:
                sub = _enter(folder, rel, os.path.join(folder.path, name), target, seen, notes)
                if sub is not None:
                    real.append(sub)
    return Found(files, notes, count)

def stat_sizes(fd: int, names: list[str]) -> list[tuple[int, int] | None]:
    """(size, mtime_ns) of each name relative to the folder `fd` (links followed); None where it is
    not a regular file (a folder, a fifo, a dangling link) or vanished meanwhile."""
    out: list[tuple[int, int] | None] = []
    add, stat = out.append, os.stat
    for name in names:
        try:
            target = stat(name, dir_fd=fd)
        except OSError:
            add(None)
            continue
        add((target.st_size, target.st_mtime_ns) if S_ISREG(target.st_mode) else None)
    return out



def _read(folder: _Folder, wanted: tuple[str, ...], files: dict[str, tuple[int, int]],
          notes: list[tuple[str, str]]) -> list[tuple[str, os.stat_result, bool]]:
    """Add the folder's post files to `files`, by name; its folders (name, stat, is a link), by name.

    A no-op build at 100,000 posts is mostly this, so a post file costs one stat relative to the
    folder's descriptor and little else: the names that look like posts are sorted, then each is
    stat'ed (links followed) and its mode says
    file or not. Only other names are asked whether they are folders. No directory entry is kept.
    """
    try:
        fd = os.open(folder.path, _DIR_FLAGS)
    except OSError as exc:
        notes.append((folder.rel.rstrip("/"), f"cannot read this folder ({exc.strerror}); its posts are skipped"))
        return []
    try:
        posts, folders = _list(fd, wanted)
        names = sorted(posts)
        sizes = stat_sizes(fd, names)
        if None not in sizes:  # every name a post file: the usual case, added at C speed
            files.update(zip(map(folder.rel.__add__, names) if folder.rel else names, sizes))
        else:
            _add_each(fd, folder.rel, names, sizes, files, folders)
    finally:
        os.close(fd)
    folders.sort(key=itemgetter(0))
    return folders


def _add_each(fd: int, prefix: str, names: list[str], sizes: list[tuple[int, int] | None],
              files: dict[str, tuple[int, int]], folders: list[tuple[str, os.stat_result, bool]]) -> None:
    """Add the post files among `names` one by one; a name that is not a regular file is asked again
    whether it is a folder named like a post (else it vanished, or is a dangling link or a fifo: not a post)."""
    stat = os.stat
    for name, size in zip(names, sizes):
        if size is not None:
            files[prefix + name] = size
            continue
        try:
            target = stat(name, dir_fd=fd)
            if S_ISDIR(target.st_mode):
                folders.append((name, target, S_ISLNK(stat(name, dir_fd=fd, follow_symlinks=False).st_mode)))
            elif S_ISREG(target.st_mode):  # it became a file since: as the walk would have seen it a moment later
                files[prefix + name] = (target.st_size, target.st_mtime_ns)
        except OSError:
            continue


def _list(fd: int, wanted: tuple[str, ...]) -> tuple[list[str], list[tuple[str, os.stat_result, bool]]]:
    """The folder's names that look like posts, and its other entries that are folders (name, stat, is a link).

    Names starting with "." and editors' backups ending in "~" are skipped.
    """
    posts: list[str] = []
    folders: list[tuple[str, os.stat_result, bool]] = []
    with os.scandir(fd) as entries:
        for entry in entries:
            name = entry.name
            if name[0] == "." or name[-1] == "~":
                continue
            if name.endswith(wanted) or name.lower().endswith(wanted):
                posts.append(name)
                continue
            try:
                if entry.is_dir():
                    folders.append((name, os.stat(name, dir_fd=fd), entry.is_symlink()))
            except OSError:
                continue
    return posts, folders


def _enter(parent: _Folder, rel: str, path: str, target: os.stat_result,
           seen: dict[FolderKey, str], notes: list[tuple[str, str]]) -> _Folder | None:
    """The folder to read at `rel`, or None (with one note) when it was read already."""
    key = (target.st_dev, target.st_ino)
    if key in parent.chain:
        above = seen.get(key, "")
        notes.append((rel, f"symbolic link loop: leads back to {_shown(above)}, which contains it; "
                           "not followed"))
        return None
    if key in seen:
        notes.append((rel, f"the same folder as {_shown(seen[key])}, which is read already; skipped"))
        return None
    seen[key] = rel
    return _Folder(rel + "/", path, parent.chain + (key,))


def _shown(rel: str) -> str:
    return rel.rstrip("/") + "/" if rel else "the posts folder itself"


def display_path(config: Config, relpath: str) -> str:
    """A post's path as the user knows it: relative to the config's directory when inside it."""
    return _display_prefix(str(config.root), str(config.posts_dir)) + relpath


@functools.lru_cache(maxsize=16)
def _display_prefix(root: str, posts: str) -> str:
    """What comes before a post's relative path when it is shown (worked out once per posts folder)."""
    if posts == root:
        return ""
    if posts.startswith(root + os.sep):
        return posts[len(root) + 1:].replace(os.sep, "/") + "/"
    return posts + "/"


def post_files(posts_dir: str | os.PathLike[str], exclude: Iterable[str]) -> Found:
    """walk() for post files, less those below the `exclude` folders ([posts] exclude)."""
    found = walk(posts_dir, suffixes=FORMATS)
    skip = tuple(folder + "/" for folder in exclude)
    if not skip:
        return found
    return Found({rel: v for rel, v in found.files.items() if not rel.startswith(skip)}, found.notes, found.folders)


def discover(config: Config) -> tuple[dict[str, tuple[int, int]], list[Problem]]:
    """relpath -> (size, mtime_ns) of every post file, and one warning per link loop or repeated folder."""
    found = post_files(config.posts_dir, config.reading.exclude)
    return found.files, notes_of(config, found.notes)


def notes_of(config: Config, notes: Iterable[tuple[str, str]]) -> list[Problem]:
    """A walk's notes ((relpath, message) each) as the warnings discover() gives."""
    return [Problem(display_path(config, rel) if rel else str(config.posts_dir), 0, message, "warning")
            for rel, message in notes]
