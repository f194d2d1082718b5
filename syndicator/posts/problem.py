"""Something wrong with one post file, as `path:line: message`: what every stage reports and the CLI prints.

A light module of its own, so that a build that finds nothing changed can report last time's
problems without importing the post reader.
"""

from __future__ import annotations

from typing import NamedTuple


class Problem(NamedTuple):
    """Something wrong with one file: `path:line: message`. A tuple: a site can have 20,000 of them."""

    path: str
    line: int
    message: str
    severity: str = "error"  # "error" rejects the post; "warning" does not

    def __str__(self) -> str:
        tag = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {tag}{self.message}"

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # pickled as tuple.__new__(Problem, fields): made back in C, where the NamedTuple's own way
        # (copyreg, __getnewargs__, its Python __new__) costs several Python calls each way
        return _new_tuple, (Problem, tuple(self))


_new_tuple = tuple.__new__
