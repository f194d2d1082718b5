"""The post reader's shortcuts (issue 12) give what the slow ways they replace give: the whole Post and
its warnings from flat YAML equal those from libyaml, and each small shortcut equals its formula."""

from __future__ import annotations

import posixpath
from pathlib import Path
from unittest import mock

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndicator.config import load
from syndicator.errors import NotAPost, PostError
from syndicator.posts import flatyaml, reader
from syndicator.posts.dialects import KNOWN
from syndicator.posts.fields import Fields
from syndicator.posts.frontmatter import Split
from syndicator.model import Link

_CONFIG = load(Path(__file__).parent.parent / "config.toml")  # the example site's config: two authors
_WORD = st.text(st.sampled_from(list("abcé中 -_'\":,#[]{}\\") + ["\U0001f389"]), min_size=1, max_size=8)
_NAME = st.sampled_from(["concurrency", "logging", "Café", "Ursula K. Le Guin", "a, b", "x  y", ""]) | _WORD
_DATE = st.sampled_from(["2021-03-03T13:24:42+02:00", "2021-03-03T13:24:42Z", "2021-03-03", "2021-03-03 13:24:42",
                         "2021-03-03T13:24:42", "2025-02-29", "2021-03-03T25:00:00Z", "'2021-03-03'", "yesterday"])
_KEYS = st.sampled_from(["title", "date", "updated", "author", "authors", "tags", "categories", "summary", "image",
                         "image_credit", "influences", "sources", "draft", "slug", "lang", "via", "license",
                         "Title", "TAGS", "weight", "image_credit_url", "canonical_url", "id", "expires"])


def _scalar(draw, value: str) -> str:
    style = draw(st.sampled_from(["double", "single", "plain"]))
    if style == "double":
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    return value


@st.composite
def _front_matter(draw) -> str:
    lines = []
    for key in draw(st.lists(_KEYS, min_size=1, max_size=9, unique=True)):
        if key in ("date", "updated", "expires"):
            lines.append(f"{key}: {draw(_DATE)}")
        elif key in ("draft",):
            lines.append(f"{key}: {draw(st.sampled_from(['true', 'false', 'yes', '1']))}")
        elif key in ("tags", "categories", "influences", "sources", "authors"):
            items = [_scalar(draw, name) for name in draw(st.lists(_NAME, max_size=3))]
            if draw(st.booleans()):
                lines.append(f"{key}: [{', '.join(items)}]")
            else:
                lines.append(f"{key}:" + "".join(f"\n  - {item}" for item in items))
        elif key in ("author",):
            lines.append(f"{key}: {draw(st.sampled_from(['maya', 'tomas', 'Maya Okafor', 'Someone Else']))}")
        elif key in ("image", "license", "canonical_url", "via", "image_credit_url"):
            url = draw(st.sampled_from(["https://x.example/a.jpg", "/img/b.png", "c.webp", "javascript:x()", ""]))
            lines.append(f"{key}: {_scalar(draw, url) if url else url}")
        else:
            lines.append(f"{key}: {_scalar(draw, draw(_NAME))}")
    return "\n".join(lines)


def _read(relpath: str, text: str):
    try:
        post, warnings = reader.read(_CONFIG, relpath, text.encode("utf-8"), display=relpath, keep_body=False)
    except (PostError, NotAPost) as exc:
        return type(exc).__name__, str(exc)
    return post, warnings


@settings(max_examples=400, deadline=None)
@given(_front_matter(), st.sampled_from(["a-post.md", "2021-03-03-dated.md", "folder/index.md", "x/y.markdown"]))
@example('title: "A boring guide"\ndate: 2021-03-03T13:24:42+02:00\nauthor: maya\ntags: ["concurrency", "logging"]\n'
         'image: "https://x.example/a.jpg"\nimage_credit: "Photo by L on U"\ninfluences:\n  - "Ada Lovelace"',
         "a-post.md")
def test_a_post_from_flat_yaml_equals_the_post_from_libyaml(front_matter: str, relpath: str) -> None:
    text = f"---\n{front_matter}\n---\n\nBody text.\n"
    fast = _read(relpath, text)
    with mock.patch.object(flatyaml, "load_lines", lambda raw: None):  # every document to libyaml
        slow = _read(relpath, text)
    assert fast == slow


def test_the_corpus_shape_is_read_on_the_fast_path() -> None:
    """Else the test above would compare libyaml with itself."""
    text = ('title: "A boring guide"\ndate: 2021-03-03T13:24:42+02:00\nauthor: maya\ntags: ["a", "b"]\n'
            'categories: ["Projects"]\nimage_credit: "Photo by L on U"\ninfluences:\n  - "Ada Lovelace"')
    assert flatyaml.load_lines(text) is not None
    assert flatyaml.load(text) == yaml.load(text, Loader=yaml.CSafeLoader)


@settings(max_examples=3000, deadline=None)
@given(st.text(st.sampled_from("ab./_-"), max_size=12))
@example("a/.hidden")
@example("//x.md")
@example("a//b/..md")
def test_path_parts_are_posixpaths_split_and_splitext(relpath: str) -> None:
    folder, name = posixpath.split(relpath)
    assert reader.path_parts(relpath) == (folder, *posixpath.splitext(name))


@settings(max_examples=500, deadline=None)
@given(st.lists(_KEYS | st.sampled_from(["Image_Credit", "LAYOUT", "unknownKey", "Tags"]) | _WORD, max_size=6),
       st.sampled_from([(), (("Series", "tags"),), (("genre", "categories"), ("MOOD", "tags"))]))
def test_unknown_key_warnings_are_the_keys_not_known_in_any_case(keys: list[str], taxonomies) -> None:
    meta = dict.fromkeys(keys, "x")
    config = replace_taxonomies(taxonomies)
    fields = Fields(config, Split(meta=meta, body="", body_line=3, raw_meta=""), "p.md")
    mapped = {key.lower() for key, _target in taxonomies}
    expected = [key for key in meta if key.lower() not in KNOWN and key.lower() not in mapped]
    assert [w.message for w in reader._unknown_keys(fields)] == [reader._unknown_key(key) for key in expected]


def replace_taxonomies(taxonomies):
    from dataclasses import replace

    return replace(_CONFIG, reading=replace(_CONFIG.reading, taxonomies=taxonomies))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_NAME, st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()), max_size=4))
def test_names_of_a_list_are_its_items_as_text_or_an_error(value) -> None:
    fields = Fields(_CONFIG, Split(meta={"tags": value}, body="", body_line=3, raw_meta=""), "p.md")
    fine = all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value)
    if not fine:
        with pytest.raises(PostError):
            fields.names("tags")
        return
    names = fields.names("tags")
    assert names == [str(v) for v in value] and names is not value


@settings(max_examples=300, deadline=None)
@given(st.lists(_NAME, max_size=4))
def test_name_only_links_equal_new_links(names: list[str]) -> None:
    fields = Fields(_CONFIG, Split(meta={"influences": names}, body="", body_line=3, raw_meta=""), "p.md")
    assert reader.links(fields, "influences", "name") == tuple(Link(name=n) for n in names)


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=12), st.booleans())
@example(b"\xef\xbb\xbf", False)
@example(b"---\r\nt: 1\r\n", True)
def test_decode_is_utf8_sig(data: bytes, bom: bool) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + data
    if not data or data.isspace() or b"\x00" in data:  # refused before decoding
        with pytest.raises(PostError):
            reader.decode(data, "p.md")
        return
    try:
        expected = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        with pytest.raises(PostError) as error:
            reader.decode(data, "p.md")
        offset = int(error.value.message.rsplit(" ", 1)[1].rstrip(")"))  # "... at offset N)": the file's first bad byte
        assert f"byte 0x{data[offset]:02x} " in error.value.message
        assert error.value.line == data[:offset].count(b"\n") + 1
        data[:offset].decode("utf-8-sig")
        with pytest.raises(UnicodeDecodeError):
            data[:offset + 4].decode("utf-8-sig")
        return
    if not expected or expected.isspace():
        with pytest.raises(PostError):
            reader.decode(data, "p.md")
        return
    assert reader.decode(data, "p.md") == expected.replace("\r\n", "\n")
