"""The build pipeline: scan posts (with the cache) -> plan feeds -> bodies -> render -> atomic write into feeds/.

May import: posts, render, model, config, errors. Never cross-posting, endpoints, daemon, server or CLI.

Modules: entry (build(): the nothing-changed answer, else) pipeline (the full build), unchanged (the
last build's record), scan (which files to parse, parsed posts), cache (the SQLite build
cache), parallel (fork_map), bodies (reading and rendering post bodies), plan (which feeds, which
files are stale), write (atomic writes, stale files), report (BuildReport, plain data).
"""

from typing import Any

__all__ = ["BuildReport", "LoadResult", "atomic_write", "build", "load_posts"]


def __getattr__(name: str) -> Any:
    """Each on first use (PEP 562): a no-op `syndicator build` answered from the quick stamp (stamp.py)
    loads neither the config nor the build, and none loads the post reader."""
    if name == "build":
        from .entry import build

        return build
    if name == "BuildReport":
        from .report import BuildReport

        return BuildReport
    if name in ("LoadResult", "load_posts"):
        from . import scan

        return getattr(scan, name)
    if name == "atomic_write":
        from .write import atomic_write

        return atomic_write
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
