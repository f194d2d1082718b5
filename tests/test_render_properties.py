"""Hypothesis: arbitrary Unicode (control characters, "]]>", emoji, right-to-left text, lone
surrogates) in titles, tags, summaries and bodies -> every format is well formed, schema-valid,
parsed by feedparser with bozo 0, deterministic, and keeps the text minus forbidden characters."""

from __future__ import annotations

import html
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from render_helpers import (
    ANA,
    JAMES,
    NS,
    SCHEMAS,
    FeedSpec,
    assert_atom_valid,
    assert_json_valid,
    make_feeds,
    make_post,
    make_site,
    parsed,
    xml,
)

from syndicator.model import Body
from syndicator.posts.content import render_body, strip_control
from syndicator.render import clear_caches, render

SPECIALS = ["]]>", "<![CDATA[", "\x00", "\x0b", "\x1f", "\ufffe", "\uffff", "\ud800", "\udfff",
            "\r\n", "\t", "&amp;", "<b>", "&", "🙂", "👩🏽‍💻", "שלום עולם", "مرحبا",
            "\u202e", "\u200f", "\x7f", "\x85", "\u2028"]
TEXT = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(SPECIALS)), max_size=6).map("".join)
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def posts(draw):
    """A post whose every free-text field is arbitrary Unicode."""
    return make_post(
        title=draw(TEXT), summary=draw(st.one_of(st.none(), TEXT)), body=draw(TEXT),
        body_format=draw(st.sampled_from(["markdown", "html"])),
        tags=tuple(draw(st.lists(TEXT, max_size=3))),
        categories=tuple(draw(st.lists(TEXT, max_size=2))),
        authors=draw(st.sampled_from([(), (JAMES,), (JAMES, ANA)])),
    )


def _render_all(post, title: str, body: Body | None = None) -> dict[str, bytes]:
    spec = FeedSpec(kind="tag", key=title, title=title, slug="x")
    site, feeds = make_site(), make_feeds()
    entries = [(post, body or render_body(post))]
    return {fmt: render(fmt, site, feeds, spec, entries, owner=JAMES)
            for fmt in ("rss", "atom", "json")}


def _terms(post) -> list[str]:
    cleaned = (strip_control(t).strip() for t in (*post.tags, *post.categories))
    return list(dict.fromkeys(t for t in cleaned if t))


@SETTINGS
@given(post=posts(), feed_title=TEXT)
def test_every_format_survives_arbitrary_unicode(post, feed_title):
    out = _render_all(post, feed_title)
    title = strip_control(post.title)

    parsed(out["rss"])
    item = xml(out["rss"]).find("channel/item")
    assert item.findtext("title") == title
    assert [c.text for c in item.findall("category")] == _terms(post)

    feed = parsed(out["atom"])
    assert feed.entries[0].id == post.id
    entry = xml(out["atom"]).find("atom:entry", NS)
    assert entry.findtext("atom:title", namespaces=NS) == title
    assert [c.get("term") for c in entry.findall("atom:category", NS)] == _terms(post)

    doc = json.loads(out["json"])
    assert doc["items"][0]["title"] == title
    assert doc["items"][0].get("tags", []) == _terms(post)
    assert doc["title"]  # never empty, even for an empty or all-control-character feed title

    if SCHEMAS.is_dir():
        assert_atom_valid(out["atom"])
        assert_json_valid(out["json"])


@SETTINGS
@given(post=posts())
def test_rendering_is_deterministic(post):
    first = _render_all(post, post.title)
    clear_caches()  # the second run must not just be the memo of the first
    assert _render_all(post, post.title) == first


@settings(max_examples=30, deadline=None)
@given(summary=TEXT, body=TEXT)
def test_summary_and_body_survive_every_format(summary, body):
    post = make_post()
    out = _render_all(post, "t", Body(html=body, summary=summary))
    expected = " ".join(strip_control(summary).split())
    content = json.loads(out["json"])["items"][0]["content_html"]
    assert strip_control(body) in content
    atom_content = xml(out["atom"]).findtext("atom:entry/atom:content", namespaces=NS)
    assert strip_control(body) in atom_content
    assert strip_control(body) in xml(out["rss"]).findtext("channel/item/content:encoded",
                                                           namespaces=NS)
    entry = xml(out["atom"]).find("atom:entry", NS)
    assert " ".join(entry.findtext("atom:summary", namespaces=NS).split()) == expected
    assert " ".join(json.loads(out["json"])["items"][0]["summary"].split()) == expected
    description = xml(out["rss"]).findtext("channel/item/description")
    assert " ".join(html.unescape(description).split()) == expected


URL_TEXT = st.text(st.characters(codec="utf-8"), max_size=15) | st.sampled_from(
    ["a b", "100%", "%zz", "%41", "<x>", "{y}", "a|b", "a\\b", "^`", '"q"', "ümlaut", "#frag",
     "?q=ä",
     "//xn--bcher-kva.example/", "http://[::1/", "mailto:x@y", "ы/../ä"])


@settings(max_examples=80, deadline=None)
@given(path=URL_TEXT, author_url=URL_TEXT, image=URL_TEXT, influence=URL_TEXT)
def test_any_url_comes_out_as_an_absolute_uri(path, author_url, image, influence):
    from render_helpers import make_author, schema_dir

    from syndicator.model import Image, Link

    post = make_post(url="https://blog.example.org/" + path, image=Image(url=image or "x.png"),
                     authors=(make_author(url=author_url, avatar=author_url),),
                     influences=(Link("I", influence),), via=Link("V", influence))
    out = _render_all(post, "t")
    parsed(out["rss"])
    parsed(out["atom"])
    schema_dir()
    assert_atom_valid(out["atom"])
    assert_json_valid(out["json"])  # checks every URL field is an RFC 3986 URI


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=TEXT, bio=TEXT, alt=TEXT, credit=TEXT, influence=TEXT, note=TEXT, site_title=TEXT,
       description=TEXT)
def test_arbitrary_attribution_text_keeps_every_format_valid(name, bio, alt, credit, influence,
                                                             note, site_title, description):
    from render_helpers import make_author, schema_dir

    from syndicator.model import Credit, Image, Link
    from syndicator.render import FeedSpec as Spec

    author = make_author(name=name, bio=bio or None, email=f"{name}@example.org")
    post = make_post(authors=(author, ANA),
                     image=Image(url="https://img.example/x.jpg", alt=alt,
                                 credit=Credit(credit, source=credit)),
                     influences=(Link(influence, "https://i.example/", note), Link(influence)),
                     via=Link(note, "https://v.example/"))
    site = make_site(title=site_title, description=description)
    spec = Spec(kind="author", key="james", title=site_title, slug="james", author=author)
    out = {fmt: render(fmt, site, make_feeds(), spec, [(post, render_body(post))], owner=author)
           for fmt in ("rss", "atom", "json")}
    parsed(out["rss"])
    parsed(out["atom"])
    schema_dir()
    assert_atom_valid(out["atom"])
    assert_json_valid(out["json"])


@settings(max_examples=100, deadline=None)
@given(head=TEXT, filler=st.text(min_size=0, max_size=600), tail=TEXT)
def test_fast_clean_matches_strip_control(head, filler, tail):
    from syndicator.render.sanitize import clean

    for text in (head, head + filler * 2 + tail, "x" * 600 + head, head + "é" * 600):
        assert clean(text) == strip_control(text)
