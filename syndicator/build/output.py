"""The output folder, written and cleaned without ever reaching outside it.

Every folder below the output folder is opened relative to its parent with O_NOFOLLOW, and
every file is written, compared and removed relative to its folder's descriptor, so a symbolic
link anywhere below the output folder is never followed: it is reported and left alone. (The
output folder itself may be a link; that is the user's own choice in the config.)

Files are written atomically: a temporary `.NAME.tmp-XXXXXXXX` beside the target, fsync,
rename. A killed build can leave such a file; `sweep_temp` removes them by that exact prefix.
Which files may be removed at all is decided by the caller from the manifest (see manifest.py):
this module only refuses to remove anything that is not a regular file inside the folder.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .fdio import write_parts
from .signature import current_signature, signature  # noqa: F401  (re-exported: plan and the record use them)

logger = logging.getLogger(__name__)
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_TEMP_INFIX = ".tmp-"


class Refused(Exception):
    """A path below the output folder that the build must not touch (a link, not a folder)."""


@dataclass(frozen=True)
class Outcome:
    """What happened to one file: "written", "unchanged", "removed", "absent" or "failed"."""

    rel: str
    status: str
    message: str = ""  # why, when status is "failed"
    signature: str = ""  # the file's signature() after "written" or "unchanged"

    @property
    def ok(self) -> bool:
        """The file now holds what the build meant it to (or is gone, when removing)."""
        return self.status != "failed"


def temp_name(name: str) -> str:
    """A fresh temporary name for `name`: `.NAME.tmp-` and 8 random hex digits."""
    return f".{name}{_TEMP_INFIX}{os.urandom(4).hex()}"  # as secrets.token_hex(4), without its imports


def is_temp_of(entry: str, names: Iterable[str]) -> bool:
    """Whether `entry` is a temporary file of one of `names` (exact `.NAME.tmp-` prefix, word chars after)."""
    for name in names:
        prefix = f".{name}{_TEMP_INFIX}"
        if entry.startswith(prefix) and re.fullmatch(r"\w+", entry[len(prefix):], re.ASCII):
            return True
    return False


class OutputDir:
    """Safe operations on the files below one output folder; paths are "/"-separated and relative."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.shown = self.root.name or str(self.root)

    def write(self, rel: str, data: bytes | Sequence[bytes]) -> Outcome:
        """Write `data` (bytes, or parts to write one after another) to `rel` atomically unless it
        already holds exactly these bytes."""
        parts = (data,) if isinstance(data, bytes) else data
        folder, name = _split(rel)
        try:
            fd = self._open_dir(folder, create=True)
        except (Refused, OSError) as exc:
            return Outcome(rel, "failed", _why(exc))
        try:
            status = "unchanged" if self._same(fd, rel, name, parts) else "written"
            if status == "written":
                _replace(fd, name, parts)
            return Outcome(rel, status, signature=signature(os.stat(name, dir_fd=fd, follow_symlinks=False)))
        except (Refused, OSError) as exc:
            return Outcome(rel, "failed", _why(exc))
        finally:
            os.close(fd)

    def remove(self, rel: str) -> Outcome:
        """Delete the regular file `rel` (never a link, never through one) and its folder if now empty."""
        folder, name = _split(rel)
        try:
            fd = self._open_dir(folder, create=False)
        except FileNotFoundError:
            return Outcome(rel, "absent")
        except (Refused, OSError) as exc:
            return Outcome(rel, "failed", _why(exc))
        try:
            st = os.lstat(name, dir_fd=fd)
            if not stat.S_ISREG(st.st_mode):
                raise Refused(f"{self._show(rel)} is {_kind(st.st_mode)}; left alone")
            os.unlink(name, dir_fd=fd)
        except FileNotFoundError:
            return Outcome(rel, "absent")
        except (Refused, OSError) as exc:
            return Outcome(rel, "failed", _why(exc))
        finally:
            os.close(fd)
        self._prune(folder)
        return Outcome(rel, "removed")

    def read(self, rel: str, *, limit: int) -> bytes | None:
        """The bytes of the regular file `rel` (None when missing, a link, or over `limit` bytes)."""
        folder, name = _split(rel)
        try:
            fd = self._open_dir(folder, create=False)
        except (Refused, OSError):
            return None
        try:
            handle = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0),
                             dir_fd=fd)
        except OSError:
            return None
        finally:
            os.close(fd)
        with os.fdopen(handle, "rb") as stream:
            st = os.fstat(stream.fileno())
            if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
                return None
            data = stream.read(limit + 1)
        return data if len(data) <= limit else None

    def sweep_temp(self, folders: Iterable[str], names: Iterable[str]) -> list[str]:
        """Remove temporary files of `names` that killed builds left in `folders`; returns them."""
        names = tuple(names)
        removed = []
        for folder in sorted(set(folders)):
            try:
                fd = self._open_dir(folder, create=False)
            except (Refused, OSError):
                continue  # missing, or a link: nothing of ours can be inside
            try:
                with os.scandir(fd) as entries:
                    stale = [e.name for e in entries
                             if is_temp_of(e.name, names) and e.is_file(follow_symlinks=False)]
                for entry in stale:
                    try:
                        os.unlink(entry, dir_fd=fd)
                        removed.append(f"{folder}/{entry}".lstrip("/"))
                    except OSError:
                        continue
            finally:
                os.close(fd)
        return removed

    def folders(self, folder: str) -> list[str]:
        """The real folders (not links) directly inside `folder`, as relative paths."""
        try:
            fd = self._open_dir(folder, create=False)
        except (Refused, OSError):
            return []
        try:
            with os.scandir(fd) as entries:
                return sorted(f"{folder}/{e.name}".lstrip("/") for e in entries if e.is_dir(follow_symlinks=False))
        finally:
            os.close(fd)

    def links(self, folders: Iterable[str]) -> list[str]:
        """Symbolic links directly inside these folders (or the folders themselves), for the report."""
        found = []
        for folder in sorted(set(folders)):
            try:
                fd = self._open_dir(folder, create=False)
            except Refused:
                found.append(folder)
                continue
            except OSError:
                continue
            try:
                with os.scandir(fd) as entries:
                    found.extend(f"{folder}/{e.name}".lstrip("/") for e in entries if e.is_symlink())
            finally:
                os.close(fd)
        return sorted(set(found))

    def _open_dir(self, folder: str, *, create: bool) -> int:
        """A descriptor for `folder` below the root, never following a link on the way."""
        flags = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.root, flags)
        except FileNotFoundError:
            if not create:
                raise
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.root, flags)
        done = []
        for part in [p for p in folder.split("/") if p]:
            if part in (".", ".."):
                os.close(fd)
                raise Refused(f"{folder!r} is not a plain path below {self.shown}")
            done.append(part)
            try:
                child = _open_child(fd, part, create=create)
            except Refused as exc:
                os.close(fd)
                raise Refused(f"{self._show('/'.join(done))} is {exc}; left alone") from None
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)
            fd = child
        return fd

    def _same(self, fd: int, rel: str, name: str, parts: Sequence[bytes]) -> bool:
        try:
            st = os.lstat(name, dir_fd=fd)
        except FileNotFoundError:
            return False
        if not stat.S_ISREG(st.st_mode):
            raise Refused(f"{self._show(rel)} is {_kind(st.st_mode)}; left alone")
        size = sum(len(part) for part in parts)
        if st.st_size != size:
            return False
        handle = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), dir_fd=fd)
        with os.fdopen(handle, "rb") as stream:
            old = memoryview(stream.read(size + 1))
        if len(old) != size:
            return False
        at = 0
        for part in parts:
            if old[at:at + len(part)] != part:
                return False
            at += len(part)
        return True

    def _prune(self, folder: str) -> None:
        """Remove `folder` and its parents below the root while they are empty."""
        parts = [p for p in folder.split("/") if p]
        while parts:
            try:
                parent = self._open_dir("/".join(parts[:-1]), create=False)
            except (Refused, OSError):
                return
            try:
                os.rmdir(parts[-1], dir_fd=parent)  # fails on a link, a file or a non-empty folder
            except OSError:
                return
            finally:
                os.close(parent)
            parts.pop()

    def _show(self, rel: str) -> str:
        return f"{self.shown}/{rel}"



def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


def _split(rel: str) -> tuple[str, str]:
    folder, _, name = rel.rpartition("/")
    return folder, name


def _open_child(fd: int, part: str, *, create: bool) -> int:
    try:
        return os.open(part, _DIR_FLAGS, dir_fd=fd)
    except FileNotFoundError:
        if not create:
            raise
        try:
            os.mkdir(part, 0o755, dir_fd=fd)
        except FileExistsError:
            pass  # made meanwhile by someone else: open it the same careful way
        return os.open(part, _DIR_FLAGS, dir_fd=fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            st = os.lstat(part, dir_fd=fd)
            raise Refused(_kind(st.st_mode)) from None
        raise


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISREG(mode):
        return "a file"
    return "not a regular file"


def _replace(fd: int, name: str, parts: Sequence[bytes]) -> None:
    """Temporary file in the same folder, fsync, rename over `name` (which is not a link).

    The parts go down in one gathering write (a feed's items are many parts: one system call each
    cost a hand-over of the interpreter lock between the writer threads and the build, every time;
    joining them first copied every feed's bytes once more, into memory fresh for each file)."""
    tmp = temp_name(name)
    handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
                     0o644, dir_fd=fd)
    try:
        try:
            write_parts(handle, parts)
            os.fchmod(handle, 0o644)
            os.fsync(handle)
        finally:
            os.close(handle)
        os.replace(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=fd)
        except OSError:
            pass
        raise
