"""Post files after a few named paths changed, without walking the posts folder (the daemon's inotify case).

The same rules as posts/walk.py for a path named by a notification: a post file's extension,
no part of the path hidden ("."), no editor backup ("~"), not below a [posts] exclude folder
(posts/walk.py's discover), a regular file (links followed). A path that is no longer such a file
leaves the list. The walk itself stays the safety net (the
daemon's periodic rescan): a folder moved in or out is not a file change and makes the daemon walk.
"""

from __future__ import annotations

import os
import stat
from typing import Iterable, Mapping

from ..posts.walk import FORMATS


def is_post_path(rel: str) -> bool:
    """Whether a path below the posts folder ("/"-separated) names a file the walk would list."""
    parts = rel.split("/")
    return (all(p and not p.startswith(".") and not p.endswith("~") for p in parts)
            and parts[-1].lower().endswith(tuple(FORMATS)))


def restat(posts_dir: str | os.PathLike[str], files: Mapping[str, tuple[int, int]],
           changed: Iterable[str], *, exclude: Iterable[str] = ()) -> dict[str, tuple[int, int]]:
    """`files` (relpath -> (size, mtime_ns)) with each changed post path stat'ed again: added, updated or gone.
    `exclude`: the [posts] exclude folders (config.reading.exclude): no file below them is a post."""
    after = dict(files)
    skip = tuple(folder + "/" for folder in exclude)
    for rel in changed:
        if not is_post_path(rel) or (skip and rel.startswith(skip)):
            continue
        try:
            st = os.stat(os.path.join(posts_dir, rel))
        except OSError:
            after.pop(rel, None)
            continue
        if stat.S_ISREG(st.st_mode):
            after[rel] = (st.st_size, st.st_mtime_ns)
        else:
            after.pop(rel, None)
    return after
