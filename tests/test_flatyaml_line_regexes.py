"""flatyaml's line regexes (issue 12, fifth round: `"([^"]*)"` with a backslash check, and RFC 3339 stamps as
a group of the line regex) read each line exactly as the regexes before them did: the entry, item and table
readers are checked against the earlier readers, kept here as the reference, on generated lines."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndicator.posts import flatyaml

# The regexes before this round (a quoted value without backslashes is a group; a stamp is raw text).
_OLD_LINE = re.compile(r'([A-Za-z_][A-Za-z0-9_-]*):(?:$| +(?:"([^"\\]*)" *$|(.*)$))')
_OLD_INDENTED = re.compile(r'( +)([A-Za-z_][A-Za-z0-9_-]*):(?:$| +(?:"([^"\\]*)" *$|(.*)$))')
_OLD_ITEM = re.compile(r'( *)- +(?:"([^"\\]*)" *$|(.*)$)')


def _old_entry(line: str) -> Any:
    """flatyaml._read_entry as it was (its value in the form _mapping reads)."""
    if not flatyaml._printable(line):
        return "not mine"
    found = _OLD_LINE.match(line)
    if found is None:
        return None
    key, quoted, raw = found.groups()
    if key in flatyaml._WORDS:
        return "not mine"
    if quoted is not None:
        return key, key.lower(), quoted
    if raw:
        raw = raw.rstrip(" ")
    if not raw:
        return key, key.lower(), "open"
    value = flatyaml._value(raw)
    return "not mine" if value is flatyaml._NOT_MINE else (key, key.lower(), value)


def _new_entry(line: str) -> Any:
    entry = flatyaml._read_entry(line)
    if entry is None:
        return None
    key, low, value, copy = entry
    if value is flatyaml._NOT_MINE:
        assert copy is flatyaml._SPECIAL
        return "not mine"
    if value is flatyaml._OPEN:
        assert copy is flatyaml._SPECIAL
        return key, low, "open"
    assert copy in (None, list, dict)
    return key, low, copy(value) if copy is not None else value


def _outcome(read, line: str) -> Any:
    try:
        return read(line)
    except (ValueError, OverflowError) as exc:  # an impossible date: load_lines declines
        return type(exc)


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, datetime):
        return a == b and a.utcoffset() == b.utcoffset()
    return a == b


_CHARS = st.sampled_from(list('abAZ_09-:" \\\'\t#[]{},.+Tz') + ["é", "٣", "\u2028", "\x85"])
_STAMPS = st.builds(
    lambda d, sep, t, zone, tail: f"{d}{sep}{t}{zone}{tail}",
    st.sampled_from(["2021-03-03", "2021-02-30", "0000-01-01", "9999-12-31", "2021-3-03", "٢٠٢١-03-03"]),
    st.sampled_from(["T", "t", " "]), st.sampled_from(["13:24:42", "24:00:00", "23:59:60", "1:02:03", "13:24"]),
    st.sampled_from(["", "Z", "z", "+02:00", "-05:30", "+0200", "+24:00", ".5Z", " +01:00"]),
    st.sampled_from(["", " ", "  ", " # c", "x"]))
_VALUES = st.one_of(
    st.text(_CHARS, max_size=10),
    st.builds(lambda q, body, tail: q + body + q + tail, st.sampled_from(['"', "'"]), st.text(_CHARS, max_size=8),
              st.sampled_from(["", " ", "  ", " #", "x", "\t"])),
    _STAMPS)
_LINES = st.builds(lambda key, sep, value: key + sep + value,
                   st.sampled_from(["title", "date", "k", "on", "Yes", "a-b", "_", "-k", "k k", ""]),
                   st.sampled_from([": ", ":  ", ":", ":\t", " : "]), _VALUES)


@settings(max_examples=4000, deadline=None)
@given(_LINES | st.text(_CHARS, max_size=16))
@example('title: "a\\"b"')
@example('title: "a\\\\b"  ')
@example('title: "a\\tb"')
@example('title: "a\\b"')
@example('date: 2021-03-03T13:24:42+02:00')
@example('date: 2021-03-03T13:24:42+02:00  ')
@example('date: 2021-02-30T13:24:42Z')
@example('date: ٢٠٢١-03-03T13:24:42Z')
def test_a_key_line_reads_as_before(line: str) -> None:
    assert _same(_outcome(_new_entry, line), _outcome(_old_entry, line))


def _old_item(line: str) -> Any:
    if not flatyaml._printable(line):
        return "", "not mine"
    found = _OLD_ITEM.match(line)
    if found is None:
        return None
    spaces, quoted, raw = found.groups()
    value = quoted if quoted is not None else flatyaml._scalar(raw.rstrip(" "), flatyaml._PLAIN)
    return spaces, "not mine" if value is flatyaml._NOT_MINE else value


def _new_item(line: str) -> Any:
    found = flatyaml._read_item(line)
    if found is None:
        return None
    spaces, value = found
    return spaces, "not mine" if value is flatyaml._NOT_MINE else value


@settings(max_examples=3000, deadline=None)
@given(st.builds(lambda indent, dash, value: indent + dash + value, st.sampled_from(["", "  ", " "]),
                 st.sampled_from(["- ", "-  ", "-", "-\t"]), _VALUES) | st.text(_CHARS, max_size=12))
@example('  - "a\\"b"')
@example('- "a\\nb" ')
def test_an_item_line_reads_as_before(line: str) -> None:
    assert _same(_outcome(_new_item, line), _outcome(_old_item, line))


def _old_table(lines: list[str]) -> Any:
    """flatyaml._table as it was, from line 0."""
    table: dict[str, Any] = {}
    indent = None
    i = 0
    while i < len(lines):
        found = _OLD_INDENTED.match(lines[i])
        if found is None:
            if lines[i][:1] in (" ", "-"):
                return "not mine", i
            break
        if not flatyaml._printable(lines[i]):
            return "not mine", i
        spaces, key, quoted, raw = found.groups()
        if indent is None:
            indent = spaces
        if spaces != indent or key in flatyaml._WORDS:
            return "not mine", i
        raw = raw.rstrip(" ") if raw else ""
        value = quoted if quoted is not None else flatyaml._value(raw) if raw else flatyaml._NOT_MINE
        if value is flatyaml._NOT_MINE:
            return "not mine", i
        table[key] = value
        i += 1
    return table, i


def _new_table(lines: list[str]) -> Any:
    value, i = flatyaml._table(lines, 0)
    return ("not mine" if value is flatyaml._NOT_MINE else value), i


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.builds(lambda indent, key, sep, value: indent + key + sep + value,
                          st.sampled_from(["  ", " ", ""]), st.sampled_from(["url", "alt", "on", "k-1"]),
                          st.sampled_from([": ", ":", ":  "]), _VALUES), min_size=1, max_size=3))
@example(['  alt: "a\\"b"', '  url: "x"'])
def test_a_table_reads_as_before(lines: list[str]) -> None:
    assert _same(_outcome(_new_table, lines), _outcome(_old_table, lines))
