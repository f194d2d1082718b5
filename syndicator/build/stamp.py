"""The quick stamp: `syndicator build` says "nothing changed" without loading the config or the build (issue 12).

A build that finishes and leaves its record (unchanged.py) in the default state folder also leaves
this stamp beside it: the config file it read (resolved path, SHA-256 of its bytes), the folders
that config names, what the record vouches for (vouch.py: the posts key, until when, the output
files' signatures) and the exact lines and exit status of `syndicator build` answered from that
record. A later `syndicator build` (cli/quick.py) that finds the same config bytes, the same post
files and the same output files prints those lines, having imported little more than this module
and the walk. Any doubt is no answer: the full command runs.

The stamp vouches exactly while the record does: entry.py removes it wherever a build starts
(where the record is forgotten), and it names the cache file it belongs to and the copy of the
program that made it (code.py's digest of every source file: after an upgrade the cache starts
afresh, so the stamp answers nothing). It is left only for a config whose fingerprint is its bytes alone
(no [site] ids_file, not a Hugo site's cascades), without WebSub hubs (a build pings them), in
the default state folder, with nothing to print that a terminal would take for a control
sequence. Standard library only, like vouch.py.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from .. import __version__
from ..posts.walk import post_files
from .code import code_digest
from .lock import build_lock
from .vouch import posts_key, still_holds

STATE_DIR = ".syndicator"  # [site] state_dir's default, beside the config: where the stamp is looked for
STAMP = "quick-build.pickle"
VERSION = 2


def forget(state_dir: Path) -> None:
    """A build is starting: no stamp vouches for the output folder until one finishes."""
    try:
        os.unlink(state_dir / STAMP)
    except FileNotFoundError:
        pass


def leave(state_dir: Path, *, config_path: Path, config_digest: str, posts_dir: Path, exclude: Sequence[str],
          output: Path, vouched: tuple[str, int, float, tuple[tuple[str, str], ...]], out: Sequence[str],
          err: Sequence[str], status: int) -> None:
    """Leave the stamp of a finished build (`vouched`: its posts key, when its scan started (ns),
    valid-until POSIX time and output signatures); `out`/`err`/`status`: what `syndicator build` says then."""
    cache = os.stat(state_dir / "cache.sqlite")
    data = pickle.dumps((VERSION, (__version__, code_digest()), str(config_path), config_digest,
                         (cache.st_dev, cache.st_ino), str(posts_dir), tuple(exclude), str(output), vouched,
                         tuple(out), tuple(err), status), protocol=pickle.HIGHEST_PROTOCOL)
    temp = state_dir / f".{STAMP}.tmp"  # one build at a time (lock.py): no other writer
    temp.write_bytes(data)
    os.replace(temp, state_dir / STAMP)


Lines = tuple[tuple[str, ...], tuple[str, ...], int]  # stdout lines, stderr lines, exit status


class Editor(Protocol):
    """What runs the build after the post files changed, given the walk (cli/quick.py's)."""

    def finish(self, started_ns: int, files: dict[str, tuple[int, int]], key: tuple[str, int]) -> Lines | None:
        """The lines of the build (walk started at `started_ns`, its files and their posts_key); None: no answer."""

    def stop(self) -> None:
        """Not needed after all (nothing changed, or no answer): let go of whatever was made ready."""


def answer(config_path: str, *, now: float, editor: Callable[[], Editor | None] | None = None) -> Lines | None:
    """(stdout lines, stderr lines, exit status) of `syndicator build` with the config at `config_path`
    (resolved) when the stamp beside it still vouches for everything; else None. Takes the build lock
    (not while a build runs: it may be writing the output folder); see answer_locked for `editor`."""
    state_dir = os.path.join(os.path.dirname(config_path), STATE_DIR)
    if not os.path.isfile(os.path.join(state_dir, STAMP)):
        return None  # (and no state folder made by taking the lock)
    with build_lock(Path(state_dir)):
        return answer_locked(config_path, now=now, editor=editor)


def answer_locked(config_path: str, *, now: float, editor: Callable[[], Editor | None] | None = None) -> Lines | None:
    """answer(), the caller holding the build lock of the config's state folder.

    `editor`: made once the stamp is found good, before the walk (so it may get ready meanwhile), and
    asked, with the lock still held, when everything holds but the post files (and the walk found no
    link loop); else stopped.
    """
    state_dir = os.path.join(os.path.dirname(config_path), STATE_DIR)
    try:
        with open(os.path.join(state_dir, STAMP), "rb") as handle:
            stamp = pickle.load(handle)
        (version, program, config, digest, cache_id, posts_dir, exclude, output, vouched, out, err,
         status) = stamp
        if (version, program, config) != (VERSION, (__version__, code_digest()), config_path):
            return None
        with open(config_path, "rb") as handle:
            if hashlib.sha256(handle.read()).hexdigest() != digest:
                return None
        cache = os.stat(os.path.join(state_dir, "cache.sqlite"))
    except (OSError, ValueError, TypeError, EOFError, pickle.UnpicklingError):
        return None  # no stamp, a damaged one or one of another version: the full command decides
    if (cache.st_dev, cache.st_ino) != cache_id:
        return None
    key, scan_started_ns, valid_until, outputs = vouched
    ready = editor() if editor is not None and now < valid_until else None
    try:
        started_ns = time.time_ns()
        found = post_files(posts_dir, exclude)
        files_key = posts_key(found.files)
        if still_holds(key=key, scan_started_ns=scan_started_ns, valid_until=valid_until, outputs=outputs,
                       output=output, now=now, files=found.files, files_key=files_key):
            return out, err, status
        if ready is None or found.notes:
            return None
        finishing, ready = ready, None
        return finishing.finish(started_ns, found.files, files_key)
    finally:
        if ready is not None:
            ready.stop()
