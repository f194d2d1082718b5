"""The RSS, Atom and OPML writers write text (render/xmltext.py); the lxml writers they replaced
(tests/render_reference.py) are the reference. Hypothesis: for any feed head and entries, with
every optional field present or not and arbitrary Unicode (control characters, "]]>", CR, tabs,
quotes, lone surrogates), both give the same bytes, or both refuse the text with ValueError.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from render_reference import atom_write, opml_write, rss_write
from render_strategies import CLEAN, CLEAN_ENTRIES, CLEAN_HEADS, ENTRIES, HEADS, SETTINGS, TEXT

from syndicator.render import atom, opml, rss
from syndicator.render.xmltext import attr, text

def _outcome(write):
    try:
        return write()
    except ValueError:  # lxml: "All strings must be XML compatible"; a lone surrogate: UnicodeEncodeError
        return ValueError


def _text_rss(head, items):
    return b"".join(rss.write(head, [rss.item(e) for e in items]))


def _text_atom(head, items, ident):
    return b"".join(atom.write(head, [atom.item(e) for e in items], ident=ident))


@SETTINGS
@given(HEADS, ENTRIES)
def test_rss_text_writer_writes_what_lxml_wrote(head, items):
    assert _outcome(lambda: _text_rss(head, items)) == _outcome(lambda: rss_write(head, items))


@SETTINGS
@given(HEADS, ENTRIES, TEXT)
def test_atom_text_writer_writes_what_lxml_wrote(head, items, ident):
    assert _outcome(lambda: _text_atom(head, items, ident)) == _outcome(lambda: atom_write(head, items, ident=ident))


@SETTINGS
@given(CLEAN_HEADS, CLEAN_ENTRIES, CLEAN)
def test_feeds_without_forbidden_characters_are_written_alike(head, items, ident):
    """No character XML forbids: both writers write, and the bytes are equal (not both refusing)."""
    assert _text_rss(head, items) == rss_write(head, items)
    assert _text_atom(head, items, ident) == atom_write(head, items, ident=ident)


_KINDS = st.sampled_from(["site", "tag", "category", "author", "series", "tag", "author"])
_SPECS = st.lists(st.builds(SimpleNamespace, kind=_KINDS, title=st.one_of(TEXT, st.just("")), key=TEXT), max_size=6)
_FORMATS = st.lists(st.sampled_from(["rss", "atom", "json", "other"]), max_size=4, unique=True)


@SETTINGS
@given(TEXT, TEXT, _FORMATS, _SPECS, st.data())
def test_opml_text_writer_writes_what_lxml_wrote(site_title, home, formats, specs, data):
    """Any titles, keys and addresses (forbidden characters included), known kinds and others, any
    formats, no feeds at all: the same bytes, or both refuse."""
    urls = {(id(spec), fmt): data.draw(TEXT) for spec in specs for fmt in formats}

    def url_of(spec, fmt):
        return urls[(id(spec), fmt)]

    assert _outcome(lambda: opml.write(site_title, home, formats, specs, url_of)) == \
        _outcome(lambda: opml_write(site_title, home, formats, specs, url_of))


@SETTINGS
@given(CLEAN, CLEAN, _FORMATS, _SPECS.filter(bool))
def test_opml_without_forbidden_characters_is_written_alike(site_title, home, formats, specs):
    def url_of(spec, fmt):
        return f"https://example.org/{spec.kind}/{fmt}?{home}"

    assert opml.write(site_title, home, formats, specs, url_of) == opml_write(site_title, home, formats, specs, url_of)


@pytest.mark.parametrize("value, as_text, as_attr", [
    ('a&b<c>d"e\'f', "a&amp;b&lt;c&gt;d\"e'f", "a&amp;b&lt;c&gt;d&quot;e'f"),
    ("l\nm\rn\to ]]>", "l\nm&#13;n\to ]]&gt;", "l&#10;m&#13;n&#9;o ]]&gt;"),
    ("é 🙂", "é 🙂", "é 🙂"),
])
def test_escaping_follows_libxml2(value, as_text, as_attr):
    assert (text(value), attr(value)) == (as_text, as_attr)
