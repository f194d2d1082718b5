"""Hypothesis strategies for the feed writers' property tests: feed heads and entries with every
optional field present or not and arbitrary Unicode (TEXT: control characters, "]]>", CR, tabs,
quotes, lone surrogates; CLEAN: only what XML allows), and real-world HTML (REAL_HTML: slices of
the real feeds and blog posts in tests/fixtures, as a post body would hold them). Test code only.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from syndicator.posts.html_text import markdown_to_html
from syndicator.render.entry import Entry, Head, Person, Photo, Ref

FIXTURES = Path(__file__).resolve().parent / "fixtures"

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


@lru_cache(maxsize=1)
def real_html() -> tuple[str, ...]:
    """HTML from real sites: the content of the real feeds in tests/fixtures/feeds (unescaped once),
    and the Markdown and HTML posts of the real blogs in tests/fixtures/blogs, rendered by cmark-gfm."""
    texts = [html.unescape(path.read_text(encoding="utf-8", errors="replace"))
             for path in sorted((FIXTURES / "feeds").glob("*.xml"))]
    for path in sorted((FIXTURES / "blogs").rglob("*")):
        if path.suffix in (".md", ".markdown"):
            texts.append(markdown_to_html(path.read_text(encoding="utf-8", errors="replace")))
        elif path.suffix in (".html", ".htm"):
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return tuple(t for t in texts if t)


@st.composite
def _slice(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(real_html()))
    start = draw(st.integers(0, len(text)))
    return text[start:start + draw(st.integers(0, 4000))]


# A slice of real HTML, or several, maybe with the specials between them.
REAL_HTML = st.lists(st.one_of(_slice(), _slice(), TEXT), min_size=1, max_size=4).map("".join)
