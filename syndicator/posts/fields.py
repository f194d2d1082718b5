"""Typed access to one post's front matter: each bad value becomes a PostError at its key's line."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from ..config import Config
from ..errors import PostError
from . import dates
from .dialects import classify_keys, first_key, split_names
from .frontmatter import Split
from .urls import unsafe_scheme

_KEY_VALUE: Any = object()
_STR = frozenset({str})  # names(): "the value of the key itself"


@dataclass(frozen=True)
class Warning_:
    """A problem that does not stop the post from publishing (an unknown key, say)."""

    line: int
    message: str


@functools.lru_cache(maxsize=4096)
def warning(line: int, message: str) -> Warning_:
    """Warning_(line, message), one object per distinct pair (thousands of posts warn of the same key
    at the same line; a frozen dataclass is slow to make, and this one never changes)."""
    return Warning_(line, message)


class Fields:
    """One post's front matter as the reader sees it; collects warnings as it goes."""

    # slots: made once per post and read dozens of times, its attributes are set and read without a dict
    __slots__ = ("config", "site", "engine", "meta", "written", "keys", "roles", "parts", "path", "warnings", "base")

    def __init__(self, config: Config, parts: Split, path: str) -> None:
        self.config = config
        self.site = config.site
        self.engine = config.reading.engine
        self.meta = parts.meta
        self.written = tuple(parts.meta)  # the keys as written, in order
        self.keys, self.roles = classify_keys(self.written)  # shared by posts with these keys: never changed
        self.parts = parts
        self.path = path
        self.warnings: list[Warning_] = []
        self.base: Callable[[str], str] = _site_resolver(config.site.url)

    def fail(self, key: str, message: str) -> PostError:
        """An error about `key`, at the line where it is written."""
        return PostError(f"{key}: {message}", path=self.path, line=self.parts.line_of(key))

    def warn(self, key: str, message: str) -> None:
        """A warning about `key`, at the line where it is written."""
        self.warnings.append(warning(self.parts.line_of(key), f"{key}: {message}"))

    def key(self, *names: str) -> str | None:
        """The post's spelling of the first of these (lower-case) keys that it has."""
        return first_key(self.keys, names)

    def role(self, role: str) -> tuple[str, ...]:
        """The post's keys for a role of dialects.ROLES ("published", "image"...), best first."""
        return self.roles.get(role, ())

    def first(self, role: str) -> tuple[str, Any]:
        """(key as written, value) of the post's best key for a role, or ("", None)."""
        found = self.roles.get(role)
        return (found[0], self.meta[found[0]]) if found else ("", None)

    def text(self, key: str | None, *, required: bool = False) -> str | None:
        """A text value (numbers are text too), stripped; None when absent or empty."""
        value = self.meta.get(key) if key else None
        if type(value) is str and not required:  # the usual case, decided as below
            return value.strip() or None
        if value is None:
            if required:
                raise PostError(f"{key} is missing", path=self.path, line=self.parts.meta_line)
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.fail(str(key), f"must be text, not {type(value).__name__}")
        value = str(value).strip()
        if required and not value:
            raise self.fail(str(key), "must not be empty")
        return value or None

    def when(self, key: str, value: Any) -> datetime:
        """A date value, in the site's time zone unless it has an offset."""
        try:
            if type(value) is datetime and value.tzinfo:  # the usual: as dates.parse checks it, without it
                return dates.checked(value)
            return dates.parse(value, self.site.timezone)
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None

    def names(self, key: str | None, value: Any = _KEY_VALUE) -> list[str]:
        """A name or list of names (tags, categories); strings split as the engine splits them.

        The value is the key's unless given (a value from inside a table, reported at `key`).
        """
        if value is _KEY_VALUE:
            value = self.meta.get(key) if key else None
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return split_names(value, engine=self.engine, header=self.parts.kind in ("header", "rst", "htmlpage"))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return [str(value)]
        if type(value) is list and {*map(type, value)} <= _STR:  # the usual list of text: as it is
            return value.copy()
        if not isinstance(value, list) or not all(
                isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
            raise self.fail(str(key), "must be a list of names")
        return [str(v) for v in value]

    def flag(self, key: str) -> bool:
        """true/false (also the text "true"/"false", as Pelican and some themes write it)."""
        value = self.meta.get(key, False)
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def url(self, key: str, value: Any, *, base: Callable[[str], str] | None = None) -> str | None:
        """An http(s) or relative URL made absolute; any other scheme is dropped with a warning."""
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.fail(key, f"URLs must be text, not {type(value).__name__}")
        scheme = unsafe_scheme(value)
        if scheme is not None:
            self.warn(key, f"a {scheme}: URL is not allowed (only http, https and relative URLs); dropped")
            return None
        return (base or self.base)(value)


@functools.lru_cache(maxsize=8)
def _site_resolver(url: str) -> Callable[[str], str]:
    """resolver(url), made once per site URL rather than once per post."""
    from .resolve import resolver

    return resolver(url)


def dedupe(names: list[str]) -> tuple[str, ...]:
    """Names with spaces folded, empty ones and repeats dropped, in first-seen order."""
    if not names:
        return ()
    return deduped(tuple(names))


@functools.lru_cache(maxsize=4096)
def deduped(names: tuple[str, ...]) -> tuple[str, ...]:
    """dedupe() worked out, once per distinct list of names (posts share their lists of tags)."""
    seen: dict[str, None] = {}
    for name in names:
        folded = _folded(name)
        if folded:
            seen.setdefault(folded, None)
    return tuple(seen)


@functools.lru_cache(maxsize=4096)
def _folded(name: str) -> str:
    """A name with runs of spaces folded to one, once per distinct name: posts that share a tag
    share one string for it (the build cache pickles it once per batch of posts)."""
    return " ".join(name.split())
