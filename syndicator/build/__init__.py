"""The build pipeline: scan posts (with the cache) -> plan feeds -> bodies -> render -> atomic write into feeds/.

May import: posts, render, model, config, errors. Never cross-posting, endpoints, daemon, server or CLI.

Modules: pipeline (build()), scan (which files to parse, parsed posts), cache (the SQLite build
cache), parallel (fork_map), bodies (reading and rendering post bodies), plan (which feeds, which
files are stale), write (atomic writes, stale files), report (BuildReport, plain data).
"""

from .pipeline import build
from .report import BuildReport
from .scan import LoadResult, load_posts
from .write import atomic_write

__all__ = ["BuildReport", "LoadResult", "atomic_write", "build", "load_posts"]
