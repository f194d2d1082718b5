"""Posts an engine's config leaves out (Zola's `ignored_content`), as `[posts] ignore` globs.

Zola matches each glob against the file's whole path, `*` crossing folders (globset's default),
with `{a,b}` alternatives; fnmatch does the same once the braces are expanded.
"""

from __future__ import annotations

import functools
import re
from fnmatch import fnmatchcase

_BRACES = re.compile(r"\{([^{}]*)\}")


@functools.lru_cache(maxsize=64)
def expand_braces(pattern: str) -> tuple[str, ...]:
    """'*.{md,txt}' -> ('*.md', '*.txt'); nested and repeated braces too."""
    found = _BRACES.search(pattern)
    if not found:
        return (pattern,)
    head, tail = pattern[: found.start()], pattern[found.end():]
    return tuple(p for option in found.group(1).split(",") for p in expand_braces(head + option + tail))


def is_ignored(path: str, patterns: tuple[str, ...]) -> bool:
    """Does a post's path (with "/" separators) match any of the globs?"""
    return any(fnmatchcase(path, glob) for pattern in patterns for glob in expand_braces(pattern))
