"""Text scans the post reader does without a regex over the whole text (issue 12), each equal to the
regex or the scan it replaces."""

from __future__ import annotations

import posixpath
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndicator.posts import flatyaml, frontmatter, reader
from syndicator.posts.templates import has_template_code
from syndicator.posts.urls import extension

_TEXT = st.text(st.sampled_from(list("-+ \t\r\nab{%}") + ["—", "é"]), max_size=40)


@settings(max_examples=3000, deadline=None)
@given(st.text(st.characters(max_codepoint=127), max_size=30))
@example("a\nb")
@example("\t")
@example("\x7f")
def test_ascii_printability_is_the_regex(text: str) -> None:
    assert text.replace("\n", "").isprintable() == bool(re.fullmatch(flatyaml._PRINTABLE, text))


@settings(max_examples=5000, deadline=None)
@given(st.text(max_size=30) | st.text(st.sampled_from(["\u2028", "\u2029", "\ufeff", "\ufffe", "\x85", "\xa0",
                                                        "\u200d", "\ue000", "\U000e0001", "a", "\n"]), max_size=6))
def test_what_isprintable_accepts_the_regex_accepts(text: str) -> None:
    if text.replace("\n", "").isprintable():
        assert re.fullmatch(flatyaml._PRINTABLE, text)


@settings(max_examples=3000, deadline=None)
@given(_TEXT, st.sampled_from(["---", "+++"]), st.integers(1, 40))
@example("---\na: 1\n----\n---  \nbody", "---", 4)
@example("---\n--- x\n---\r\n", "---", 4)
@example("---", "---", 3)
def test_the_closing_line_is_the_regex_search(text: str, closing: str, start: int) -> None:
    start = min(start, len(text)) or 1
    mine = frontmatter._closing_line(text, start, closing)
    theirs = frontmatter._CLOSERS[closing].search(text, start)
    assert (mine and mine.span()) == (theirs and theirs.span())


@settings(max_examples=3000, deadline=None)
@given(_TEXT)
@example("{")
@example("a {x} {{")
@example("{%")
def test_the_template_precheck_on_bytes_is_has_template_code(text: str) -> None:
    assert reader._may_hold_template_code(text.encode("utf-8")) == has_template_code(text)


@settings(max_examples=3000, deadline=None)
@given(st.text(st.sampled_from("ab./"), max_size=10))
@example("https://x.example/a.b/c")
@example("/img/.hidden")
@example("..jpg")
def test_extension_is_splitext(path: str) -> None:
    assert extension(path) == posixpath.splitext(path)[1]
