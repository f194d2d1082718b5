"""The build pipeline: posts -> plan feeds -> render what changed -> atomic write into feeds/.

May import: posts, render, model, config, errors. Never cross-posting, endpoints, daemon, server or CLI.
"""

from typing import Any


def __getattr__(name: str) -> Any:  # TEMPORARY (issue 7): the loader still imports build.cache
    if name in ("BuildReport", "atomic_write", "build"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
