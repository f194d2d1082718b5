"""Split a post file into front matter and body, and parse the front matter.

YAML between `---` lines, or TOML between `+++` lines (Hugo's and Jekyll's conventions).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

import yaml

from ..errors import PostError
from . import flatyaml

try:  # libyaml's C loader is about six times faster than the pure-Python one
    _YamlLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _YamlLoader = yaml.SafeLoader

_FENCES = {"---": "yaml", "+++": "toml"}


@dataclass(frozen=True)
class Split:
    """A post file's parts. `body_line` is the 1-based line where the body starts."""

    meta: dict[str, Any]
    body: str
    body_line: int
    raw_meta: str


def split(text: str, path: str) -> Split:
    """Separate and parse the front matter; raises PostError with the line of the problem."""
    first, _, rest = text.partition("\n")
    fence = first.rstrip()
    kind = _FENCES.get(fence)
    if kind is None:
        raise PostError("no front matter: the file must start with '---' (YAML) or '+++' (TOML)",
                        path=path, line=1)
    end = re.search(rf"^{re.escape(fence)}[ \t]*\r?$", rest, re.MULTILINE)
    if end is None:
        raise PostError(f"front matter is not closed: no line '{fence}' after line 1", path=path, line=1)
    raw = rest[: end.start()]
    after = rest[end.end():]
    body = after[1:] if after.startswith("\n") else after
    body_line = raw.count("\n") + 3
    meta = _parse_yaml(raw, path) if kind == "yaml" else _parse_toml(raw, path)
    return Split(meta=meta, body=body, body_line=body_line, raw_meta=raw)


def _parse_yaml(raw: str, path: str) -> dict[str, Any]:
    flat = flatyaml.load(raw)  # most front matter is flat: read it without PyYAML's constructor
    if flat is not None:
        return flat
    try:
        data = yaml.load(raw, Loader=_YamlLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        start = getattr(exc, "context_mark", None)
        if start is not None and start.line + 2 != line and getattr(exc, "context", None):
            problem += f" ({exc.context} started on line {start.line + 2})"
        raise PostError(f"invalid YAML front matter: {problem}", path=path, line=line) from None
    return _as_table(data, path)


def _parse_toml(raw: str, path: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        line = int(found.group(1)) + 1 if found else 1
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise PostError(f"invalid TOML front matter: {message}", path=path, line=line) from None
    return data


def _as_table(data: Any, path: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PostError("front matter must be a mapping of keys to values", path=path, line=2)
    return {str(k): v for k, v in data.items()}


def key_line(raw_meta: str, key: str) -> int:
    """The file line where a top-level front matter key is written (2 if not found)."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*[:=]", re.MULTILINE)
    found = pattern.search(raw_meta)
    return raw_meta.count("\n", 0, found.start()) + 2 if found else 2


def body_of(text: str) -> str:
    """Only the body of a post file's text, without parsing its front matter."""
    first, _, rest = text.partition("\n")
    fence = first.rstrip()
    end = re.search(rf"^{re.escape(fence)}[ \t]*\r?$", rest, re.MULTILINE) if fence in _FENCES else None
    if end is None:
        return text
    after = rest[end.end():]
    return after[1:] if after.startswith("\n") else after
