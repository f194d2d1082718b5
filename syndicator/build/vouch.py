"""What the last build's record vouches for, and whether it still does: the posts folder's key and
the output files' signatures (issue 12).

Standard library only: `syndicator build` with nothing changed asks this before anything else
is loaded (build/stamp.py), and a build in process asks it through unchanged.answer().
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Iterable, Mapping
from operator import itemgetter

from .signature import current_signature


def posts_key(files: Mapping[str, tuple[int, int]]) -> tuple[str, int]:
    """A digest of every post file's path, size and mtime (in the walk's order), and the newest mtime (ns).

    marshal (version 2: no back-references, so equal dicts give equal bytes) does the work in C:
    100,000 files cost milliseconds. The same files in another order give another key, which only
    costs a build that finds nothing changed.
    """
    newest = max(map(itemgetter(1), files.values()), default=0)
    return hashlib.blake2b(marshal.dumps(files if type(files) is dict else dict(files), 2),
                          digest_size=16).hexdigest(), newest


def still_holds(*, key: str, trusted_before_ns: int, valid_until: float, outputs: Iterable[tuple[str, str]],
                output: str | os.PathLike[str], now: float, files_key: tuple[str, int]) -> bool:
    """Whether a build now would change nothing: before `valid_until` (POSIX time), the post files as
    keyed (`files_key`: posts_key() of them now), none modified at or after `trusted_before_ns` (a
    timestamp too coarse to tell), and every output file still the one written."""
    if now >= valid_until:
        return False
    if files_key[0] != key or files_key[1] >= trusted_before_ns:
        return False
    root = os.fspath(output)
    return all(current_signature(os.path.join(root, rel)) == signature for rel, signature in outputs)
