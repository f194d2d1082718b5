"""Where a key is written: the flat-YAML fast path's line map answers exactly as key_line() does (issue 12)."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndicator.errors import PostError
from syndicator.posts.frontmatter import key_line, split

_KEY = st.one_of(st.sampled_from(["title", "Title", "TITLE", "date", "tags", "image_credit", "x-y", "_k"]),
                 st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,6}", fullmatch=True))
_VALUE = st.sampled_from(["plain words", '"quoted: text"', "'single'", "2024-05-14", "12", "[a, b]", '["x"]',
                          'title: "inner"', "true", "~"])


@st.composite
def _front_matter(draw) -> str:
    lines = []
    for key in draw(st.lists(_KEY, min_size=1, max_size=7)):
        shape = draw(st.sampled_from(["scalar", "block", "blank"]))
        if shape == "blank":
            lines.append(draw(st.sampled_from(["", "  ", "\t"])))
        if shape == "block":
            lines.append(f"{key}:")
            lines += [f"  - {draw(_VALUE)}" for _ in range(draw(st.integers(0, 2)))]
        else:
            lines.append(f"{key}: {draw(_VALUE)}")
    return "\n".join(lines)


@settings(max_examples=1500, deadline=None)
@given(_front_matter(), st.lists(_KEY, max_size=3))
@example("title: a\n\n\ndate: 2024-05-14", ["date"])
@example("Title: a\ntitle: b", ["TITLE"])
def test_line_of_a_key_is_key_lines_answer(raw: str, others: list[str]) -> None:
    try:
        parts = split(f"---\n{raw}\n---\nbody\n", "post.md")
    except PostError:
        return  # libyaml refused it: no line map involved
    if parts.key_lines is None:
        return  # not flat YAML: line_of is key_line itself
    for key in [*parts.meta, *(k.upper() for k in parts.meta), *others, "", "missing"]:
        assert parts.line_of(key) == key_line(parts.raw_meta, key, first=parts.meta_line), (raw, key)


def test_flat_front_matter_gets_the_line_map_and_blank_lines_are_not_blamed() -> None:
    parts = split("---\ntitle: a\n\n\ndate: 2024-05-14\nimage_credit: x\n---\nbody\n", "post.md")
    assert parts.key_lines is not None
    assert parts.line_of("date") == 5 and parts.line_of("IMAGE_CREDIT") == 6 and parts.line_of("nope") == 2
    table = split("---\nimage:\n  url: x.jpg\n\nextra: 1\n---\nbody\n", "post.md")  # one level: flatyaml's
    assert table.key_lines is not None and table.line_of("extra") == 5
    nested = split("---\nimage:\n  url:\n    deep: x.jpg\n\nextra: 1\n---\nbody\n", "post.md")
    assert nested.key_lines is None and nested.line_of("extra") == 6


def _split_by_partition(text: str) -> tuple[str, str, int]:
    """The front matter and body as split() cut them before issue 12 (partition, then copies)."""
    first, _, rest = text.partition("\n")
    closing = "+++" if first.rstrip() == "+++" else "---"
    end = re.search(rf"^{re.escape(closing)}[ \t]*\r?$", rest, re.MULTILINE)
    assert end is not None
    after = rest[end.end():]
    raw = rest[: end.start()]
    return raw, after[1:] if after.startswith("\n") else after, raw.count("\n") + 3


_PIECE = st.sampled_from(["---", "+++", "--- ", "---\r", "title: x", 'title = "x"', "", " ", "body", "\r", "---x"])


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(["---", "+++", "--- ", "---yaml"]), st.lists(_PIECE, max_size=8), st.sampled_from(["", "\n"]))
def test_split_cuts_front_matter_and_body_where_the_partition_did(fence: str, pieces: list[str], end: str) -> None:
    text = fence + "\n" + "\n".join(pieces) + end
    try:
        parts = split(text, "post.md")
    except PostError:
        return  # an unclosed or unparsable front matter: reported, nothing cut
    assert (parts.raw_meta, parts.body, parts.body_line) == _split_by_partition(text)
