"""render/encoded.py encodes an entry's content once for every format; Hypothesis holds it, and
`render_entry`, to the slow paths (each format escaping its own str) on real-world HTML from
tests/fixtures and on hostile text (control characters, lone surrogates, U+FFFE)."""

from __future__ import annotations

import json
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st
from render_strategies import ENTRIES, REAL_HTML, SETTINGS, TEXT

from syndicator.render import atom, jsonfeed, render_entry, render_item, rss
from syndicator.render.encoded import encode_content
from syndicator.render.xmltext import text_bytes

CONTENT = st.one_of(REAL_HTML, TEXT)
FORMATS = st.lists(st.sampled_from(["rss", "atom", "json"]), min_size=1, max_size=3, unique=True)


def _outcome(make):
    try:
        return make()
    except ValueError as exc:  # UnicodeEncodeError is one
        return type(exc), str(exc)


def _slow(fmt, entry):
    """The item as each writer makes it alone: its own escaping of the content str, or (JSON) the
    whole item through the encoder."""
    if fmt == "json":
        whole = {**jsonfeed._head(entry), **jsonfeed._body(entry), **jsonfeed._tail(entry)}
        return jsonfeed._ENCODER.encode(whole).encode("utf-8")
    return (rss.item if fmt == "rss" else atom.item)(entry).data


@SETTINGS
@given(CONTENT)
def test_xml_content_is_text_bytes(content):
    made = encode_content(content, ["rss"]).xml
    if made is None:  # left to the writer, which refuses it
        assert isinstance(_outcome(lambda: text_bytes(content)), tuple)
    else:
        assert made == text_bytes(content)


@SETTINGS
@given(CONTENT)
def test_json_content_is_the_encoders_string(content):
    made = encode_content(content, ["json"]).json
    try:
        expected = jsonfeed._ENCODER.encode(content)[1:-1].encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: only the whole item's encoding may say so
        assert made is None
        return
    if made is None:  # only text the byte path does not take: C0 controls besides tab, LF and CR
        assert any(ord(c) < 0x20 and c not in "\t\n\r" for c in content)
    else:
        assert made == expected


@SETTINGS
@given(ENTRIES, st.lists(CONTENT, min_size=3, max_size=3), FORMATS)
def test_render_entry_writes_what_each_format_writes_alone(entries, contents, formats):
    for entry, content in zip(entries, contents):
        entry = replace(entry, content=content)
        got = _outcome(lambda: {fmt: item.data for fmt, item in render_entry(entry, formats).items()})
        expected = _outcome(lambda: {fmt: _slow(fmt, entry) for fmt in formats})
        assert got == expected
        if not isinstance(got, tuple) and "json" in got:
            assert json.loads(got["json"])["content_html"] == content


@SETTINGS
@given(ENTRIES, FORMATS)
def test_render_item_is_render_entry_one_format_at_a_time(entries, formats):
    """Also for entries without content (summary_only feeds) and with any field's text."""
    for entry in entries:
        for fmt in formats:
            assert _outcome(lambda: render_item(fmt, entry).data) == _outcome(lambda: _slow(fmt, entry))


def test_the_content_is_spliced_into_the_json_item_where_the_encoder_puts_it():
    entry = replace(_an_entry(), content='<p class="x">a\\b\t"c"\n</p>')
    item = render_entry(entry, ["json"])["json"].data
    assert b'"content_html":"<p class=\\"x\\">a\\\\b\\t\\"c\\"\\n</p>"' in item
    assert item == _slow("json", entry)


def _an_entry():
    from datetime import datetime, timezone

    from syndicator.render.entry import Entry, Person

    moment = datetime(2024, 5, 1, tzinfo=timezone.utc)
    return Entry(id="tag:x,2024:a", title="A", link="https://x.example/a", published=moment, updated=moment,
                 summary="s", content=None, authors=(Person(name="Ana"),), terms=("t",), photo=None, license=None,
                 own_license=False, influences=(), sources=(), via=None, lang="en")
