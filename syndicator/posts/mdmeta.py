"""Python-Markdown's meta-data header, as Pelican reads a Markdown post's metadata.

`Key: value` lines at the very top, optionally between `---` and `---` (or `...`) lines;
a line indented four spaces continues the value above; the header ends at a blank line, at
the closing line, or at the first line that is neither. Values are text, never YAML:
`twitter_site: @name` is fine here, and a key given twice keeps every value.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import PostError
from .frontmatter import Split
from .limits import PostLimits

_KEY = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
_MORE = re.compile(r"^[ ]{4,}(?P<value>.*)")
_BEGIN = re.compile(r"^-{3}(\s.*)?$")
_END = re.compile(r"^(-{3}|\.{3})(\s.*)?$")


def split_meta(text: str, path: str, *, limits: PostLimits) -> Split:
    """The header's keys (lower-cased, as Pelican) and the Markdown body after it."""
    lines = text.split("\n")
    start, stop, end = _bounds(lines)
    if len("\n".join(lines[:stop])) > limits.max_front_matter_bytes:
        raise PostError(f"the front matter is over the limit of {limits.max_front_matter_bytes:,} bytes "
                        "([limits] max_front_matter_bytes)", path=path, line=1)
    meta: dict[str, Any] = {}
    rows: list[str] = [""] * start
    key = ""
    for line in lines[start:stop]:
        found = _KEY.match(line)
        if found:
            key = found.group("key").lower()
            value = found.group("value").strip()
            before = meta.get(key)
            meta[key] = value if before is None else [*before, value] if isinstance(before, list) else [before, value]
            rows.append(f"{key}:")
        else:
            more = _MORE.match(line)
            _extend(meta, key, more.group("value").strip() if more else "")
            rows.append("")
    return Split(meta=meta, body="\n".join(lines[end:]), body_line=end + 1, raw_meta="\n".join(rows) + "\n",
                 kind="header", meta_line=1)


def body_of(text: str) -> str:
    """Only the Markdown body of a post file's text (see markup.source_body)."""
    lines = text.split("\n")
    return "\n".join(lines[_bounds(lines)[2]:])


def _bounds(lines: list[str]) -> tuple[int, int, int]:
    """(first header line, line after the last, first body line), as Python-Markdown's meta."""
    start = 1 if lines and _BEGIN.match(lines[0]) else 0
    key = False
    for index in range(start, len(lines)):
        line = lines[index]
        if not line.strip() or (start and _END.match(line)):
            return start, index, index + 1
        if _KEY.match(line):
            key = True
        elif not (key and _MORE.match(line)):
            return start, index, index
    return start, len(lines), len(lines)


def _extend(meta: dict[str, Any], key: str, more: str) -> None:
    value = meta[key]
    if isinstance(value, list):
        value[-1] = f"{value[-1]} {more}".strip()
    else:
        meta[key] = f"{value} {more}".strip()
