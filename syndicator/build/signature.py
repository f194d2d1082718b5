"""A file's signature, "size:mtime_ns:inode": how a build knows an output file is still the one it wrote.

A module of its own (standard library only), so that a build answered from the last build's
record checks its output files without loading the writer.
"""

from __future__ import annotations

import os
import stat


def signature(st: os.stat_result) -> str:
    """ "size:mtime_ns:inode": changes whenever a file is replaced (a rename brings a new inode)."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def current_signature(path: str | os.PathLike[str]) -> str:
    """The signature of the regular file at `path` (not followed if a link), or "" when there is none."""
    try:
        st = os.lstat(path)
    except OSError:
        return ""
    return signature(st) if stat.S_ISREG(st.st_mode) else ""
