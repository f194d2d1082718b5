"""The flat-YAML reader's quickest branches (`key: "text"`, `["a", "b"]`, RFC 3339 timestamps) read
exactly what libyaml reads, and are taken for the shapes they were made for."""

from __future__ import annotations

from datetime import datetime

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.posts import flatyaml

_CHARS = st.sampled_from(list("abcXYZ019 _-.:;#'\\/[]{}&*!|>%@`?~=+(),") + ['"', "é", "中", "🙂", "\u2028", "\x85",
                                                                               "\ufeff", "\xa0"])
_TEXT = st.text(_CHARS, max_size=10)
_KEYS = st.sampled_from(["title", "tags", "on", "yes", "Null", "x-y", "_k", "date"]) | st.from_regex(
    r"[A-Za-z_][A-Za-z0-9_-]{0,6}", fullmatch=True)
_STAMPS = st.builds(
    lambda y, mo, d, h, mi, s, sep, zone: f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{s:02d}{zone}",
    st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32), st.integers(0, 25), st.integers(0, 61),
    st.integers(0, 61), st.sampled_from(["T", "t", " "]),
    st.sampled_from(["", "Z", "z", "+02:00", "-05:30", "-00:00", " +01:00", "+23:59", "+24:00", "+02:75", "+0200"]))


def _line(key: str, shape: str, items: list[str], stamp: str, spaces: str) -> str:
    if shape == "quoted":
        return f'{key}:{spaces}"{items[0] if items else ""}"{spaces[1:]}'
    if shape == "flow":
        return f"{key}:{spaces}[" + ", ".join(f'"{item}"' for item in items) + "]"
    return f"{key}:{spaces}{stamp}"


def _same(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)  # type: ignore[index]
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))  # type: ignore[arg-type]
    if isinstance(a, datetime):
        return a == b and a.utcoffset() == b.utcoffset() and a.tzname() == b.tzname()  # type: ignore[union-attr]
    return a == b


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.tuples(_KEYS, st.sampled_from(["quoted", "flow", "stamp"]), st.lists(_TEXT, max_size=3),
                          _STAMPS, st.sampled_from([" ", "  ", ": "[1:]])), min_size=1, max_size=5))
def test_fast_lines_read_what_libyaml_reads_or_decline(lines):
    text = "\n".join(_line(*line) for line in lines)
    fast = flatyaml.load(text)
    if fast is None:
        return
    assert _same(fast, yaml.load(text, Loader=yaml.CSafeLoader)), text


def test_the_fast_shapes_are_read_on_the_fast_path():
    text = 'title: "Plain title"\ntags: ["a b", "c"]\ndate: 2021-03-03T13:24:42+02:00\nwhen: 2021-03-03T13:24:42Z'
    assert _same(flatyaml.load(text), yaml.load(text, Loader=yaml.CSafeLoader))


_SCALAR = st.one_of(
    _TEXT.map(lambda t: f'"{t}"'), _TEXT.map(lambda t: f"'{t}'"), _TEXT,
    st.sampled_from(["Image 0", "/img/0.jpg", "//cdn/x", "/a #b", "/a: b", "yes", "null", "~", "12", "007", "1.5",
                     "2021-03-03", "2021-03-03T13:24:42Z", "https://x.org/a", "a:b", "[a, b]", "{}", "[]"]))
_FLOW_PART = st.tuples(st.sampled_from(["name", "source", "on", "a-b", "_k", "x y", '"q"', "k:", ""]),
                       st.sampled_from([": ", ":", " : ", ":  "]), _SCALAR)


@st.composite
def _tables(draw) -> str:
    lines = []
    for key in draw(st.lists(_KEYS, min_size=1, max_size=3)):
        shape = draw(st.sampled_from(["table", "flow", "empty-then-top"]))
        if shape == "flow":
            parts = draw(st.lists(_FLOW_PART, max_size=3))
            lines.append(f"{key}: {{" + draw(st.sampled_from([", ", ","])).join(k + c + v for k, c, v in parts) +
                         "}" + draw(st.sampled_from(["", " ", "x"])))
        elif shape == "table":
            lines.append(f"{key}:")
            for _ in range(draw(st.integers(1, 3))):
                indent = draw(st.sampled_from(["  ", "  ", " ", "    ", "   "]))
                inner = draw(st.sampled_from(["url", "alt", "credit", "on", "x-y", "- a", "k"]))
                value = draw(_SCALAR | st.lists(_FLOW_PART, max_size=2).map(
                    lambda ps: "{" + ", ".join(k + c + v for k, c, v in ps) + "}") | st.just(""))
                lines.append(f"{indent}{inner}: {value}" if not inner.startswith("-") else f"{indent}{inner}")
        else:
            lines.append(f"{key}:")
    return "\n".join(lines)


@settings(max_examples=3000, deadline=None)
@given(_tables())
def test_tables_one_level_deep_read_what_libyaml_reads_or_decline(text: str) -> None:
    fast = flatyaml.load(text)
    if fast is None:
        return
    assert _same(fast, yaml.load(text, Loader=yaml.CSafeLoader)), text


def test_the_bench_corpus_image_table_is_read_on_the_fast_path() -> None:
    text = ('title: "Post 0"\nimage:\n  url: /img/0.jpg\n  alt: Image 0\n'
            '  credit: {name: Photographer 0, source: Unsplash}')
    assert _same(flatyaml.load(text), yaml.load(text, Loader=yaml.CSafeLoader))
