"""What the last build's record vouches for, and whether it still does: the posts folder's key and
the output files' signatures (issue 12).

Standard library only: `syndicator build` with nothing changed asks this before anything else
is loaded (build/stamp.py), and a build in process asks it through unchanged.answer().
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Iterable, Mapping
from itertools import compress
from operator import itemgetter

from ..digests import blake2b
from .signature import current_signature

RACY_NS = 1_000_000_000  # a whole-second mtime: the filesystem's grain may be a second
FINE_NS = 50_000_000  # the coarse clock's tick and a fine filesystem's grain (10 ms at most), with room


def posts_key(files: Mapping[str, tuple[int, int]]) -> tuple[str, int]:
    """A digest of every post file's path, size and mtime (in the walk's order), and the newest mtime (ns).

    marshal (version 2: no back-references, so equal dicts give equal bytes) does the work in C:
    100,000 files cost milliseconds. The same files in another order give another key, which only
    costs a build that finds nothing changed.
    """
    newest = max(map(itemgetter(1), files.values()), default=0)
    return blake2b(marshal.dumps(files if type(files) is dict else dict(files), 2), digest_size=16).hexdigest(), newest


def trusted_from(mtime_ns: int) -> int:
    """The earliest scan start (ns) that may trust a file stamped `mtime_ns` by its size and mtime.

    A write stamps a file with the kernel's coarse clock (at most a tick, 1-10 ms, behind the real time)
    cut to the filesystem's grain. An mtime with a fraction of a second comes from a fine-grained
    filesystem (10 ms or finer): a file stamped FINE_NS before a scan started cannot be stamped the
    same by a later write. A whole-second mtime may come from a one-second filesystem: RACY_NS more.
    """
    return mtime_ns + (FINE_NS if mtime_ns % 1_000_000_000 else RACY_NS + FINE_NS) + 1


def untrusted(files: Mapping[str, tuple[int, int]], scan_started_ns: int) -> list[str]:
    """The files modified too close to a scan that started at `scan_started_ns` (ns) for their size and
    mtime to show a later change (trusted_from): read again, they may hold what that scan did not see."""
    oldest = scan_started_ns - RACY_NS - FINE_NS  # a file stamped before this is trusted, whatever its grain
    mtimes = list(map(itemgetter(1), files.values()))
    if max(mtimes, default=0) < oldest:
        return []  # the usual case: every file older than any margin
    recent = compress(files, map(oldest.__le__, mtimes))  # (an edit's: one or two files, found in C)
    return [rel for rel in recent if trusted_from(files[rel][1]) > scan_started_ns]


def still_holds(*, key: str, scan_started_ns: int, valid_until: float, outputs: Iterable[tuple[str, str]],
                output: str | os.PathLike[str], now: float, files: Mapping[str, tuple[int, int]],
                files_key: tuple[str, int]) -> bool:
    """Whether a build now would change nothing: before `valid_until` (POSIX time), the post files (`files`,
    keyed `files_key`: posts_key() of them) as keyed by the build whose scan started at `scan_started_ns`,
    none of them modified too close to that scan to tell (untrusted), and every output file still the
    one written."""
    if now >= valid_until:
        return False
    if files_key[0] != key or files_key[1] >= scan_started_ns - RACY_NS - FINE_NS and untrusted(files, scan_started_ns):
        return False
    root = os.fspath(output)
    return all(current_signature(os.path.join(root, rel)) == signature for rel, signature in outputs)
