"""TOML text for syndicator's own files, as `init`, `init --feed` and `import` write them.

One quoting rule and one `[authors.KEY]` table, so that a config written by one command reads
back the same way as one written by another.
"""

from __future__ import annotations

import re

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_string(text: str) -> str:
    """A TOML basic string: backslash and quote escaped, control characters as \\uXXXX."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c >= " " and c != "\x7f" else f"\\u{ord(c):04x}" for c in escaped) + '"'


def toml_key(key: str) -> str:
    """A table or key name: bare when TOML allows it, else quoted."""
    return key if _BARE_KEY.fullmatch(key) else toml_string(key)


def author_table(key: str, name: str, fields: dict[str, str | None]) -> list[str]:
    """The lines of an `[authors.KEY]` table; fields without a value are left out."""
    return [f"[authors.{toml_key(key)}]", f"name = {toml_string(name)}",
            *(f"{k} = {toml_string(v)}" for k, v in fields.items() if v)]
