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

import marshal
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .. import __version__
from ..digests import sha256
from ..posts.walk import post_files
from .code import code_digest
from .lock import build_lock
from .vouch import posts_key, still_holds

if TYPE_CHECKING:
    from ..config import Config
    from .side_walk import SideWalk

STATE_DIR = ".syndicator"  # [site] state_dir's default, beside the config: where the stamp is looked for
STAMP = "quick-build.marshal"  # plain values (marshal): reading it needs no pickle module
VERSION = 5
_OLD_STAMP = "quick-build.pickle"  # (versions up to 4: a build removes it)
SIDE_WALK_FILES = 2_000  # a smaller folder is walked sooner than a child is forked and answers


def forget(state_dir: Path) -> None:
    """A build is starting: no stamp vouches for the output folder until one finishes."""
    for name in (STAMP, _OLD_STAMP):
        try:
            os.unlink(state_dir / name)
        except FileNotFoundError:
            pass


def leave(state_dir: Path, *, config: Config, config_digest: str,
          vouched: tuple[str, int, float, tuple[tuple[str, str], ...], int], out: Sequence[str],
          err: Sequence[str], status: int) -> None:
    """Leave the stamp of a finished build with `config` (`vouched`: its posts key, when its scan started (ns),
    valid-until POSIX time, output signatures and how many post files it read); `out`/`err`/`status`: what `syndicator build` says then.
    The config goes in too, as loaded (config_snapshot.py), for a build after an edit."""
    from .config_snapshot import dumps

    cache = os.stat(state_dir / "cache.sqlite")
    data = marshal.dumps((VERSION, (__version__, code_digest()), str(config.path), config_digest,
                          (cache.st_dev, cache.st_ino), str(config.posts_dir), tuple(config.reading.exclude),
                          str(config.feeds.output), vouched, tuple(out), tuple(err), status, dumps(config)))
    temp = state_dir / f".{STAMP}.tmp"  # one build at a time (lock.py): no other writer
    temp.write_bytes(data)
    os.replace(temp, state_dir / STAMP)


Lines = tuple[tuple[str, ...], tuple[str, ...], int]  # stdout lines, stderr lines, exit status


class Editor(Protocol):
    """What runs the build after the post files changed, given the walk (cli/quick.py's)."""

    def prepare(self, done: Callable[[], bool]) -> None:
        """Get ready (import what the build needs) while the walk runs in a child, until done() says it ended."""

    def finish(self, started_ns: int, files: dict[str, tuple[int, int]], key: tuple[str, int],
               config: bytes) -> Lines | None:
        """The lines of the build (walk started at `started_ns`, its files and their posts_key; `config`: the
        config as loaded, config_snapshot.dumps'd); None: no answer."""

    def stop(self) -> None:
        """Not needed after all (nothing changed, or no answer): let go of whatever was made ready."""


def answer(config_path: str, *, now: float, editor: Callable[[], Editor | None] | None = None,
           aside_from: int | None = None) -> Lines | None:
    """(stdout lines, stderr lines, exit status) of `syndicator build` with the config at `config_path`
    (resolved) when the stamp beside it still vouches for everything; else None. Takes the build lock
    (not while a build runs: it may be writing the output folder); see answer_locked for the options."""
    state_dir = os.path.join(os.path.dirname(config_path), STATE_DIR)
    if not os.path.isfile(os.path.join(state_dir, STAMP)):
        return None  # (and no state folder made by taking the lock)
    with build_lock(Path(state_dir)):
        return answer_locked(config_path, now=now, editor=editor, aside_from=aside_from)


def answer_locked(config_path: str, *, now: float, editor: Callable[[], Editor | None] | None = None,
                  aside_from: int | None = None) -> Lines | None:
    """answer(), the caller holding the build lock of the config's state folder.

    `editor`: made once the stamp is found good, before the walk, and asked, with the lock still held,
    when everything holds but the post files (and the walk found no link loop); else stopped.
    `aside_from`: when the last build read at least this many post files, the folder is walked in a child
    process (side_walk.py) while the editor gets ready (None: never; cli/quick.py passes SIDE_WALK_FILES
    when a core is idle).
    """
    state_dir = os.path.join(os.path.dirname(config_path), STATE_DIR)
    try:
        with open(os.path.join(state_dir, STAMP), "rb") as handle:
            stamp = marshal.loads(handle.read())
        (version, program, config, digest, cache_id, posts_dir, exclude, output, vouched, out, err,
         status, snapshot) = stamp
        if (version, config) != (VERSION, config_path):
            return None
        key, scan_started_ns, valid_until, outputs, count = vouched
    except (OSError, ValueError, TypeError, EOFError):
        return None  # no stamp, a damaged one or one of another version: the full command decides

    def walk() -> tuple[()] | tuple[dict[str, tuple[int, int]], list[tuple[str, str]], tuple[str, int]]:
        """() when nothing changed, else the post files, the walk's notes and the files' key."""
        found = post_files(posts_dir, exclude)
        files_key = posts_key(found.files)
        if still_holds(key=key, scan_started_ns=scan_started_ns, valid_until=valid_until, outputs=outputs,
                       output=output, now=now, files=found.files, files_key=files_key):
            return ()
        return found.files, found.notes, files_key

    started_ns = time.time_ns()
    aside = editor is not None and now < valid_until and aside_from is not None and count >= aside_from
    child = _walk_aside(walk) if aside else None  # walking at once: the stamp is checked meanwhile
    ready = None
    try:
        if not _made_by(program, config_path, digest, state_dir, cache_id):
            return None
        ready = editor() if editor is not None and now < valid_until else None
        walked = _walked(child, ready) if child is not None else walk()
        child = None
        if walked is None:
            return None
        if not walked:
            return out, err, status
        files, notes, files_key = walked
        if ready is None or notes:
            return None
        finishing, ready = ready, None
        return finishing.finish(started_ns, files, files_key, snapshot)
    finally:
        if child is not None:
            child.stop()
        if ready is not None:
            ready.stop()


def _made_by(program: tuple[str, str], config_path: str, digest: str, state_dir: str,
             cache_id: tuple[int, int]) -> bool:
    """Whether this copy of the program (code.py), the config file's bytes and the build cache's file are those
    the stamp was left with."""
    try:
        if program != (__version__, code_digest()):
            return False
        with open(config_path, "rb") as handle:
            if sha256(handle.read()).hexdigest() != digest:
                return False
        cache = os.stat(os.path.join(state_dir, "cache.sqlite"))
    except OSError:
        return False
    return (cache.st_dev, cache.st_ino) == cache_id


def _walk_aside(walk: Callable[[], tuple[object, ...]]) -> SideWalk:
    """walk() started in a child (side_walk.py), its answer marshalled."""
    from .side_walk import SideWalk

    return SideWalk(lambda: marshal.dumps(walk(), 2))


def _walked(child: SideWalk, editor: Editor | None) -> tuple[object, ...] | None:
    """The child's walk, `editor` getting ready meanwhile; None when the child failed."""
    try:
        if editor is not None:
            editor.prepare(child.done)
    finally:
        data = child.result()
    return marshal.loads(data) if data is not None else None
