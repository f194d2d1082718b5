"""The RSS and Atom writers write text (render/xmltext.py); the lxml writers they replaced
(tests/render_reference.py) are the reference. Hypothesis: for any feed head and entries, with
every optional field present or not and arbitrary Unicode (control characters, "]]>", CR, tabs,
quotes, lone surrogates), both give the same bytes, or both refuse the text with ValueError.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from render_reference import atom_write, rss_write

from syndicator.render import atom, rss
from syndicator.render.entry import Entry, Head, Person, Photo, Ref
from syndicator.render.xmltext import attr, text

SPECIALS = ["]]>", "\x00", "\x0b", "\x1f", "\ufffe", "\ud800", "\r\n", "\r", "\n", "\t", "&amp;", "<b>", "&",
            '"', "'", ">", "🙂", "שלום", "\x7f", "\x85", "\u2028", " ", "atom:", "<dc:x>"]
TEXT = st.lists(st.one_of(st.text(max_size=8), st.sampled_from(SPECIALS)), max_size=5).map("".join)
LEGAL = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff")  # what XML allows
CLEAN = st.lists(st.one_of(st.text(LEGAL, max_size=8),
                           st.sampled_from(["&", "<", ">", '"', "\n", "\t", "]]>", "🙂"])), max_size=5).map("".join)
MOMENTS = st.builds(lambda d, m: d.replace(tzinfo=timezone(timedelta(minutes=m)), microsecond=0),
                    st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30)),
                    st.integers(-23 * 60, 23 * 60))
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])



def _feeds(any_text):
    """(heads, entries) strategies with every text field drawn from `any_text`."""
    maybe = st.one_of(st.none(), st.just(""), any_text)
    people = st.builds(Person, name=any_text, url=maybe, email=maybe, avatar=maybe, bio=maybe, bio_html=maybe)
    refs = st.builds(Ref, name=any_text, url=maybe, note=maybe)
    photos = st.builds(Photo, url=any_text, alt=any_text, type=maybe, caption=any_text,
                       credit=st.one_of(st.none(), people), source=maybe, source_url=maybe, license=maybe)
    entries = st.builds(
        Entry, id=any_text, title=any_text, link=any_text, published=MOMENTS, updated=MOMENTS, summary=any_text,
        content=st.one_of(st.none(), any_text), authors=st.lists(people, min_size=1, max_size=3).map(tuple),
        terms=st.lists(any_text, max_size=3).map(tuple), photo=st.one_of(st.none(), photos), license=maybe,
        own_license=st.booleans(), influences=st.lists(refs, max_size=2).map(tuple),
        sources=st.lists(refs, max_size=2).map(tuple), via=st.one_of(st.none(), refs),
        lang=st.one_of(st.none(), st.sampled_from(["en", "sv-SE"]), any_text))
    heads = st.builds(
        Head, title=any_text, description=any_text, home=any_text, self_url=any_text, language=maybe,
        copyright=maybe, license=maybe, icon=maybe, image=maybe, logo=maybe, favicon=maybe,
        authors=st.lists(people, min_size=1, max_size=2).map(tuple), hubs=st.lists(any_text, max_size=2).map(tuple),
        updated=MOMENTS)
    return heads, st.lists(entries, max_size=3)


HEADS, ENTRIES = _feeds(st.one_of(TEXT, CLEAN))
CLEAN_HEADS, CLEAN_ENTRIES = _feeds(CLEAN)


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


@pytest.mark.parametrize("value, as_text, as_attr", [
    ('a&b<c>d"e\'f', "a&amp;b&lt;c&gt;d\"e'f", "a&amp;b&lt;c&gt;d&quot;e'f"),
    ("l\nm\rn\to ]]>", "l\nm&#13;n\to ]]&gt;", "l&#10;m&#13;n&#9;o ]]&gt;"),
    ("é 🙂", "é 🙂", "é 🙂"),
])
def test_escaping_follows_libxml2(value, as_text, as_attr):
    assert (text(value), attr(value)) == (as_text, as_attr)
