"""Which copy of the program is running: a digest of its source files (standard library only).

The build cache (cache.py) is dropped when it changes, and the quick stamp (stamp.py) answers
only for the copy that made it, so that an upgrade, or an edit in a checkout, is never answered
with what the old code made.
"""

from __future__ import annotations

import functools
import os

from ..digests import blake2b


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the program's source files (path, size, mtime), once per process.

    Part of the cache's stamp, so that a changed reader never reuses parses made by the old one
    (the version alone does not change while a developer edits the code).
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cut = len(root) + 1
    found: list[str] = []
    folders = [root]
    while folders:
        with os.scandir(folders.pop()) as listing:
            for item in listing:
                if item.name.endswith(".py"):
                    st = item.stat()
                    found.append(f"{item.path[cut:]}:{st.st_size}:{st.st_mtime_ns}")
                elif "." not in item.name and item.name != "__pycache__" and item.is_dir(follow_symlinks=False):
                    folders.append(item.path)
    return blake2b("\n".join(sorted(found)).encode(), digest_size=8).hexdigest()
