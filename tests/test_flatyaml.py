"""The flat-YAML fast path means exactly what libyaml means, or declines (issue 12)."""

from __future__ import annotations

from datetime import date, datetime

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from syndicator.posts import flatyaml

_ALPHABET = st.sampled_from(
    list("abcxyzABCZ019 _-.,:;#'\"\\/[]{}&*!|>%@`?~=+()") + ["\t", "é", "ж", "中", "ا", "क", "्", "\u0301",
                                                           "🙂", "\u200d", "\u2028", "\x85", "\ufeff", "\x07"])
_TEXT = st.text(_ALPHABET, max_size=12)
_WORDS = st.sampled_from(["yes", "No", "on", "OFF", "true", "False", "null", "~", "Null", "y", "n", "nan"])
_NUMBERS = st.one_of(
    st.integers(-10, 10**12).map(str), st.sampled_from(["007", "0x1F", "1_000", "1.5", "1e3", "12:30", ".inf"]))
_DATES = st.builds(
    lambda y, m, d, hh, mm, ss, tz, sep: f"{y:04d}-{m:02d}-{d:02d}" + (
        f"{sep}{hh:02d}:{mm:02d}:{ss:02d}{tz}" if hh is not None else ""),
    st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32), st.one_of(st.none(), st.integers(0, 25)),
    st.integers(0, 61), st.integers(0, 61),
    st.sampled_from(["", "Z", "+02:00", "-05:30", " +01:00", "+0200", "+25:00", ".5", "z"]),
    st.sampled_from(["T", " ", "t", "  "]))


def _quote(text: str, style: str) -> str:
    if style == "double":
        return f'"{text}"'
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "single-raw":
        return f"'{text}'"
    return text


# Double-quoted text with escapes: the ones the fast path reads and ones it must leave to libyaml.
_ESCAPED = st.builds(lambda parts: '"' + "".join(parts) + '"', st.lists(st.one_of(
    _TEXT, st.sampled_from(["\\\"", "\\\\", "\\/", "\\t", "\\n", "\\x41", "\\u00e9", "\\0", "\\ ",
                            "\\N", "\\e", "\\q", "\\", '"'])), max_size=5))
_SCALARS = st.one_of(
    st.builds(_quote, _TEXT, st.sampled_from(["plain", "double", "single", "single-raw"])), _ESCAPED,
    st.builds(lambda a, b: a + b, st.sampled_from(["Title ", "A", "é", "https://x.org/", "it's ", ""]), _TEXT),
    _WORDS, _NUMBERS, _DATES)
_KEYS = st.one_of(st.sampled_from(["title", "date", "tags", "on", "yes", "null", "x-y", "_k", "Title", "k"]),
                  st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,8}", fullmatch=True), _TEXT)


@st.composite
def _lines(draw) -> str:
    key = draw(_KEYS)
    shape = draw(st.sampled_from(["scalar", "flow", "block", "empty", "raw"]))
    sep = draw(st.sampled_from([": ", ":  ", ":", " : ", ": "]))
    if shape == "scalar":
        return f"{key}{sep}{draw(_SCALARS)}{draw(st.sampled_from(['', ' ', ' # note']))}"
    if shape == "flow":
        items = draw(st.lists(_SCALARS, max_size=4))
        joiner = draw(st.sampled_from([", ", ",", " , "]))
        return f"{key}{sep}[{joiner.join(items)}]{draw(st.sampled_from(['', ',', ' ']))}"
    if shape == "block":
        indent = draw(st.sampled_from(["", "  ", "    "]))
        items = draw(st.lists(st.tuples(_SCALARS, st.sampled_from([indent, " ", indent + " "])), min_size=1, max_size=4))
        return f"{key}:\n" + "\n".join(f"{ind}- {value}" for value, ind in items)
    if shape == "empty":
        return f"{key}:"
    return draw(_TEXT)


def _same(a: object, b: object) -> bool:
    """Equal in value and in type all the way down (True == 1 and date == datetime are not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)  # type: ignore[union-attr]
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))  # type: ignore[arg-type]
    if isinstance(a, datetime):
        return a == b and a.utcoffset() == b.utcoffset()  # type: ignore[union-attr]
    return a == b


def _libyaml(text: str) -> tuple[bool, object]:
    try:
        return True, yaml.load(text, Loader=yaml.CSafeLoader)
    except Exception as exc:  # noqa: BLE001 - any failure of the slow path must be a decline here
        return False, exc


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_lines(), min_size=1, max_size=8), st.sampled_from(["\n", "\n\n"]))
@example(['title: "A boring guide"', "date: 2021-03-03T13:24:42+02:00", 'tags: ["a", "b"]'], "\n")
@example(["date: 2025-02-30"], "\n")
@example(["on: yes"], "\n")
@example(["title: a: b"], "\n")
@example(["title: trailing:"], "\n")
@example(["title: it's fine"], "\n")
@example(['title: "\\"Boring\\" archives, revisited"', 'k: ["a\\\\", "b\\/c\\t"]'], "\n")
def test_fast_path_agrees_with_libyaml_or_declines(lines: list[str], joiner: str) -> None:
    text = joiner.join(lines)
    fast = flatyaml.load(text)
    if fast is None:
        return  # declined: the caller hands the text to libyaml, whatever it makes of it
    ok, slow = _libyaml(text)
    assert ok, f"libyaml rejects what the fast path accepted: {text!r} -> {slow!r}"
    assert _same(fast, slow), f"{text!r}: fast {fast!r} != libyaml {slow!r}"


def test_fast_path_answers_for_typical_flat_front_matter() -> None:
    """The shapes of real and benchmark posts are the fast path's to read (else it saves nothing)."""
    text = "\n".join([
        'title: "A boring guide to archives"', "date: 2021-03-03T13:24:42+02:00", "author: dmitri",
        'tags: ["concurrency", "logging"]', "categories: [Projects]", "summary: Plain text, with commas.",
        "image: https://images.example.com/cover.jpg", "draft: false", "weight: 10", "updated: 2021-03-04",
        "influences:", '  - "Ursula K. Le Guin"', "  - Richard Feynman", "lang: en", 'subtitle: "\\"Quoted\\" words"'])
    fast = flatyaml.load(text)
    assert fast is not None
    assert _same(fast, yaml.load(text, Loader=yaml.CSafeLoader))
    assert fast["date"] == datetime.fromisoformat("2021-03-03T13:24:42+02:00")
    assert fast["updated"] == date(2021, 3, 4) and fast["draft"] is False and fast["weight"] == 10
    assert fast["subtitle"] == '"Quoted" words'


def test_fast_path_declines_what_it_does_not_model() -> None:
    for text in ("image:\n  url:\n    deep: x.jpg", "image:\n  url: x\n  - y", "summary: |\n  two\n  lines",
                 "title: &a anchor", "a: *ref",
                 "title: two\n  lines", "# comment\ntitle: x", "date: 2025-02-30", "t: 1.5", "k: [a, [b]]",
                 'k: "\\x41"', 'k: "\\u00e9"', 'k: "a\\ b"', 'k: "\\N"'):
        assert flatyaml.load(text) is None, text


@settings(max_examples=1500, deadline=None)
@given(_ESCAPED, st.sampled_from(["title", "k"]), st.sampled_from(["scalar", "flow", "block"]))
def test_double_quoted_escapes_agree_with_libyaml_or_decline(quoted: str, key: str, shape: str) -> None:
    """Escaped double-quoted text, where titles with quotes in them need it (`"\\"Boring\\" archives"`)."""
    text = {"scalar": f"{key}: {quoted}", "flow": f"{key}: [{quoted}, x]", "block": f"{key}:\n  - {quoted}"}[shape]
    fast = flatyaml.load(text)
    if fast is None:
        return
    ok, slow = _libyaml(text)
    assert ok, f"libyaml rejects what the fast path accepted: {text!r} -> {slow!r}"
    assert _same(fast, slow), f"{text!r}: fast {fast!r} != libyaml {slow!r}"


def test_escaped_quotes_are_the_fast_paths_to_read() -> None:
    assert flatyaml.load('title: "\\"Boring\\" archives, revisited"') == {"title": '"Boring" archives, revisited'}
