"""A fast reader for the flat YAML most front matter is: `key: scalar`, flow lists and short block lists,
and tables one level deep (`image:` then `  url: ...` lines, or `{name: ..., source: ...}`).

It recognises exactly a subset of YAML whose meaning it can give without doubt and returns None
for anything else, so that the caller hands the text to libyaml (issue 12: PyYAML's constructor,
not libyaml's scanner, is where most of a post's front matter time goes). Its results equal
`yaml.load(text, Loader=yaml.CSafeLoader)` wherever it answers; tests/test_flatyaml.py proves
that with Hypothesis, and any exception inside it also means "not mine".
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

# YAML 1.1 words that resolve to booleans or null in PyYAML's SafeLoader (its implicit resolvers).
_WORDS: dict[str, Any] = {
    **{w: True for w in ("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")},
    **{w: False for w in ("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")},
    **{w: None for w in ("~", "null", "Null", "NULL")},
}
# RFC 3339 exactly (hour below 24; `Z` or `+02:00`; ASCII digits checked apart): what _STAMP reads with
# datetime.fromisoformat, found with one regex.
_RFC3339_TEXT = r"\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):\d{2}:\d{2}(?:Z|[-+]\d{2}:\d{2})?"
_RFC3339 = re.compile(_RFC3339_TEXT + "$")
# `key: value`: the commonest values of all, `"text"` and an RFC 3339 stamp, are groups of their own
# (what _scalar makes of them; where it is read, `"text"` holding a backslash becomes the raw value it was
# before: `[^"]` is one test a character, `[^"\\]` a set tried at each); other values are taken with
# their trailing spaces, then right-stripped (a lazy `(.*?) *$` backtracks at every character).
_LINE = re.compile(r'([A-Za-z_][A-Za-z0-9_-]*):(?:$| +(?:"([^"]*)" *$|(' + _RFC3339_TEXT + r') *$|(.*)$))')
# A line of a table under a key (`  key: value`), read as _LINE reads a top-level line.
_INDENTED = re.compile(r'( +)([A-Za-z_][A-Za-z0-9_-]*):(?:$| +(?:"([^"]*)" *$|(.*)$))')
_FLOW_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_ITEM = re.compile(r'( *)- +(?:"([^"]*)" *$|(.*)$)')  # as _LINE: a quoted item apart
_INT = re.compile(r"(?:0|[1-9][0-9]*)$")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})$")
_STAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?: *(Z|([-+])(\d{2}):(\d{2})))?$")
# A plain scalar we take as text: starts with a letter, no comment, no mapping indicator, no
# characters that start other YAML syntax in a way we do not model.
_PLAIN = re.compile(r"(?:[^\W\d_]|/)[^#:\\]*(?::+[^ #:\\][^#:\\]*)*")  # a ':' only before a non-space
# A flow list of double-quoted items without escapes, commas or inner quotes, `, `-separated.
_FLOW_QUOTED = re.compile(r'\[("[^",\\]*"(?:, "[^",\\]*")*)\]$')
_FLOW_PLAIN = re.compile(r"[^\W\d_][^#:\\,\[\]{}\"']*")
_QUOTED = re.compile(r'"([^"\\]*(?:\\[\\"/tn][^"\\]*)*)"$|\'([^\']*(?:\'\'[^\']*)*)\'$')
# The escapes of double-quoted scalars read here (YAML has more: \x, \u... go to libyaml).
_ESCAPES = {"\\\\": "\\", '\\"': '"', "\\/": "/", "\\t": "\t", "\\n": "\n"}
_ESCAPE = re.compile(r"\\.")
# libyaml accepts these characters in a document; anything else goes to it to judge. (Compiled when
# first needed, by a line str.isprintable() refuses: compiling its ranges takes 1.5 ms, a fiftieth of an edit.)
_PRINTABLE = "[\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*"


def load(text: str) -> dict[str, Any] | None:
    """The mapping `text` means, or None when it is not in the flat subset (then use libyaml)."""
    found = load_lines(text)
    return found[0] if found is not None else None


def load_lines(text: str) -> tuple[dict[str, Any], dict[str, int]] | None:
    """As load(), with the 0-based line of each key's first line (lower-cased key; keys are ASCII here)."""
    # Only printable text is read here (see _printable): each line is checked where it is read, so a
    # line that repeats from post to post is checked once with it.
    try:
        if len(text) <= _CACHED_TEXT:
            return _mapping(text.split("\n"), _entry, _item)
        return _mapping(text.split("\n"), _read_entry, _read_item)
    except (ValueError, OverflowError):  # an impossible date: libyaml's path reports it
        return None


def _mapping(lines: list[str], entry_of: Callable[[str], Any], item_of: Callable[[str], Any]
             ) -> tuple[dict[str, Any], dict[str, int]] | None:
    out: dict[str, Any] = {}
    where: dict[str, int] = {}
    resume = 0  # the first line after the block list or table read last
    for number, entry in enumerate(map(entry_of, lines)):  # lines under a key are not key lines: None
        if number < resume:
            continue
        if entry is None:
            if lines[number].strip():
                return None
            continue
        key, low, value, copy = entry
        if low not in where:
            where[low] = number
        if copy is not None:  # a list or table to copy, or a line that is not a plain value (_SPECIAL)
            if copy is not _SPECIAL:
                value = copy(value)
            elif value is _OPEN:
                value, resume = _opened(lines, number + 1, item_of)
                if value is _NOT_MINE:
                    return None
            else:
                return None  # _NOT_MINE
        out[key] = value
    return (out, where) if out else None


def _opened(lines: list[str], i: int, item_of: Callable[[str], Any]) -> tuple[Any, int]:
    """What follows `key:` from line i on: a table, a block list or nothing (null); and the line after it."""
    if i < len(lines) and _INDENTED.match(lines[i]):
        return _table(lines, i)
    return _block(lines, i, item_of)


_NOT_MINE = object()
_OPEN = object()  # `key:` and nothing after it: a block list or a table follows (or nothing: null)
_SPECIAL = object()  # an entry's `copy` when its value is _OPEN or _NOT_MINE
# The lines of front matter up to this long are read once per distinct line (many repeat from post to
# post: `author: maya`, `categories: ["Notes"]`, `  - "Ada Lovelace"`); of longer front matter, every
# time, so that the cache stays small.
_CACHED_TEXT = 4096


def _printable(line: str) -> bool:
    """Whether libyaml accepts every character of this line (of no newline) in a document.

    What str.isprintable() accepts, _PRINTABLE accepts too (its refusals are all Cc, Cf, Cs, Zl, Zp or
    unassigned), and for ASCII exactly that: the regex, ten times slower, decides only the rest."""
    return line.isprintable() or (not line.isascii() and re.fullmatch(_PRINTABLE, line) is not None)


def _read_entry(line: str) -> tuple[str, str, Any, Any] | None:
    """A top-level `key: value` line: (key, lower-case key, value, copy), where `copy` makes each post's
    own list or table from the tuple kept in the cache (None: the value is immutable, shared); the
    value is _OPEN for a key alone, _NOT_MINE when not ours (or not printable), and `copy` _SPECIAL
    for both. None: a blank line, or not a `key:` line."""
    if not line.isprintable() and not _printable(line):  # the usual line decided without a call
        return _UNPRINTABLE
    found = _LINE.match(line)
    if found is None:
        return None
    key, quoted, stamp, raw = found.groups()
    if quoted is not None and "\\" in quoted:
        quoted, raw = None, f'"{quoted}"'  # escapes: the raw value (see _LINE)
    low = key.lower()
    if key in _WORDS:
        return key, low, _NOT_MINE, _SPECIAL
    if quoted is not None:
        return key, low, quoted, None
    if stamp is not None:  # as _value(stamp) reads it (trailing spaces are not in the group)
        return key, low, datetime.fromisoformat(stamp) if stamp.isascii() else _value(stamp), None
    if raw:
        raw = raw.rstrip(" ")
    if not raw:
        return key, low, _OPEN, _SPECIAL
    value = _value(raw)
    kind = type(value)
    if kind is list:
        return key, low, tuple(value), list
    if kind is dict:
        return key, low, tuple(value.items()), dict
    return key, low, value, _SPECIAL if value is _NOT_MINE else None


_UNPRINTABLE = ("", "", _NOT_MINE, _SPECIAL)
_entry = functools.lru_cache(maxsize=4096)(_read_entry)


def _block(lines: list[str], i: int, item_of: Callable[[str], Any]) -> tuple[Any, int]:
    """A block list under an empty key (`- item` lines), or None when nothing follows."""
    items: list[Any] = []
    indent = None
    n = len(lines)
    while i < n:
        line = lines[i]
        found = item_of(line)
        if found is None:
            if line[:1] in (" ", "-"):
                return _NOT_MINE, i  # nested or unusual structure
            break
        spaces, value = found
        if indent is None:
            indent = spaces
        elif spaces != indent:
            return _NOT_MINE, i
        if value is _NOT_MINE:
            return _NOT_MINE, i
        items.append(value)
        i += 1
    return (items if items else None), i


def _read_item(line: str) -> tuple[str, Any] | None:
    """A `- item` line of a block list: (its indent, its scalar or _NOT_MINE); None if it is not one."""
    if not line.isprintable() and not _printable(line):
        return "", _NOT_MINE
    found = _ITEM.match(line)
    if found is None:
        return None
    spaces, quoted, raw = found.groups()
    if quoted is not None and "\\" in quoted:
        quoted, raw = None, f'"{quoted}"'  # escapes: the raw value (see _LINE)
    return spaces, quoted if quoted is not None else _scalar(raw.rstrip(" "), _PLAIN)


_item = functools.lru_cache(maxsize=4096)(_read_item)


def _value(raw: str) -> Any:
    """A value written on its key's line: a scalar, a flow list or a flow table."""
    first = raw[0]
    if first == "[":
        return _flow(raw)
    if first == "{":
        return _flow_table(raw)
    return _scalar(raw, _PLAIN)


def _table(lines: list[str], i: int) -> tuple[Any, int]:
    """A table under an empty key: `  key: value` lines, all at one indent, each value on its line."""
    table: dict[str, Any] = {}
    indent = None
    while i < len(lines):
        found = _INDENTED.match(lines[i])
        if found is None:
            if lines[i][:1] in (" ", "-"):
                return _NOT_MINE, i  # deeper, or a list, or a line of spaces: libyaml's
            break
        if not _printable(lines[i]):
            return _NOT_MINE, i
        spaces, key, quoted, raw = found.groups()
        if quoted is not None and "\\" in quoted:
            quoted, raw = None, f'"{quoted}"'  # escapes: the raw value (see _LINE)
        if indent is None:
            indent = spaces
        if spaces != indent or key in _WORDS:
            return _NOT_MINE, i
        raw = raw.rstrip(" ") if raw else ""
        value = quoted if quoted is not None else _value(raw) if raw else _NOT_MINE  # empty: a deeper table
        if value is _NOT_MINE:
            return _NOT_MINE, i
        table[key] = value
        i += 1
    return table, i


def _flow_table(raw: str) -> Any:
    """`{a: b, c: "d"}` with simple keys and scalar values only."""
    if not raw.endswith("}"):
        return _NOT_MINE
    inner = raw[1:-1].strip(" ")
    if not inner:
        return {}
    out: dict[str, Any] = {}
    for part in inner.split(","):
        key, colon, value = part.partition(": ")
        key, value = key.strip(" "), value.strip(" ")
        if not colon or not value or not _FLOW_KEY.fullmatch(key) or key in _WORDS:
            return _NOT_MINE
        value = _scalar(value, _FLOW_PLAIN)
        if value is _NOT_MINE:
            return _NOT_MINE
        out[key] = value
    return out


def _flow(raw: str) -> Any:
    """`[a, "b", c]` with scalar items only."""
    quoted = _FLOW_QUOTED.match(raw)
    if quoted is not None:  # the usual `["a", "b"]`: the items are the text between the quotes
        return [item[1:-1] for item in quoted.group(1).split(", ")]
    if not raw.endswith("]"):
        return _NOT_MINE
    inner = raw[1:-1].strip()
    if not inner:
        return []
    out = []
    for part in inner.split(","):
        value = _scalar(part.strip(), _FLOW_PLAIN)
        if value is _NOT_MINE:
            return _NOT_MINE
        out.append(value)
    return out


def _scalar(raw: str, plain: re.Pattern[str]) -> Any:
    """A quoted string, a plain word scalar, an integer or a timestamp; else _NOT_MINE."""
    if not raw:
        return _NOT_MINE
    first = raw[0]
    if first == '"' and raw.find('"', 1) == len(raw) - 1 and "\\" not in raw:  # "text": no escapes, no inner quote
        return raw[1:-1]
    if first == '"' or first == "'":
        found = _QUOTED.match(raw)
        if found is None:
            return _NOT_MINE
        double, single = found.groups()
        if double is not None:
            return _ESCAPE.sub(_unescape, double) if "\\" in double else double
        return single.replace("''", "'")
    if raw in _WORDS:
        return _WORDS[raw]
    if first.isdigit():
        return _number_or_time(raw)
    if plain.fullmatch(raw) and not raw.endswith(" "):
        return raw
    return _NOT_MINE


def _unescape(found: re.Match[str]) -> str:
    return _ESCAPES[found.group(0)]


def _number_or_time(raw: str) -> Any:
    if raw[4:5] != "-":  # not a date: an integer or not ours
        return int(raw) if _INT.match(raw) else _NOT_MINE
    if _RFC3339.match(raw) and raw.isascii():  # the commonest date: as the _STAMP branch below reads it
        return datetime.fromisoformat(raw)
    found = _DATE.match(raw)
    if found:
        return date(int(found[1]), int(found[2]), int(found[3]))
    found = _STAMP.match(raw)
    if found is None:
        return _NOT_MINE
    year, month, day, hour, minute, second, zone, sign, hours, minutes = found.groups()
    if raw[10] == "T" and hour < "24" and found.start(7) in (-1, 19) and raw.isascii():
        return datetime.fromisoformat(raw)  # RFC 3339 exactly (`Z` or `+02:00`): the same value, made in C
    if sign:  # as PyYAML's construct_yaml_timestamp: a fixed offset
        tz: timezone | None = _offset(sign, hours, minutes)
    else:
        tz = timezone.utc if zone else None
    return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=tz)


@functools.lru_cache(maxsize=256)
def _offset(sign: str, hours: str, minutes: str) -> timezone:
    """A fixed UTC offset, made once per distinct offset."""
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    return timezone(-delta if sign == "-" else delta)
