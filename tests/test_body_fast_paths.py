"""The quick tests in front of each pass over a post's body (posts/content.py, posts/html_text.py)
and the plain-URL shortcut of render/sanitize.uri: Hypothesis holds each to the slow path it skips,
on real-world HTML (tests/fixtures) and on hostile text, and `render_body` as a whole to the same
steps with no shortcut, on the real blogs' posts and on generated Markdown."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin

import cmarkgfm
from hypothesis import given
from hypothesis import strategies as st
from render_strategies import REAL_HTML, SETTINGS, TEXT, real_html

from syndicator.model import Body, Post
from syndicator.posts import html_text
from syndicator.posts.content import _FIRST_PARAGRAPH, _MORE, may_link_intrasite, render_body
from syndicator.posts.intrasite import _MARKED, has_links, rewrite
from syndicator.render.sanitize import as_uri, uri

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MARKUP = ["{static}/a.png", "|filename|b.md", "%7Bstatic%7D/c", "%7c", " href=", " SRC='", '"', "'", "<!--",
          "<!-- more -->", "<!--MORE-->", "-->", "data-footnote", "data-footnotes", "data-footnote-ref>",
          "<section data-footnotes>", "<sup ", "<a ", "[^1]", "\n\n[^1]: note\n", "\x00", "\x0b", "\ufffe", "\uffff",
          "\ud800", "é", "🙂", "{", "|", "%", "%7", "\n", "\t", "\r", '<a href="{static}/d.png">', "<img src='|filename|e.md'>",
          '<a href="%7Bstatic%7D/f">', "<a href='%7cfilename%7c/g'>", '<a data="{tag}x">', "<a href=\"%7", "'{", '"|']
PIECES = st.lists(st.one_of(st.sampled_from(MARKUP), TEXT, REAL_HTML), max_size=6).map("".join)


@SETTINGS
@given(PIECES)
def test_strip_control_equals_the_regex(text):
    assert html_text.strip_control(text) == html_text._XML_INVALID.sub("", text)
    long = text * (600 // max(len(text), 1) + 1)  # over the length where the byte check starts
    assert html_text.strip_control(long) == html_text._XML_INVALID.sub("", long)


@SETTINGS
@given(PIECES)
def test_the_intrasite_quick_test_never_misses_a_link(markup):
    assert (may_link_intrasite(markup) and has_links(markup)) == (_MARKED.search(markup) is not None)
    if not may_link_intrasite(markup):
        assert not any(q + m in markup for q in "\"'" for m in ("{", "|", "%7"))


BARE = ["<a ", "<a\t", "<sup ", "<section ", "<section", "<sub ", "<aside ", "data-footnote", "data-footnotes",
        "data-footnote-ref", "data-footnote-backref", "-idx=\"1\"", " ", "\n", "\u3000", "\x85", ">", "<", "=\"\"",
        'class="x"', "<a href=\"#fn-1\" id=\"fnref-1\" data-footnote-ref>", "<section class=\"footnotes\" data-footnotes>"]


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(BARE), TEXT), max_size=14).map("".join))
def test_bare_attributes_are_valued_as_the_substitution_does(rendered):
    assert html_text.bare_attributes_valued(rendered) == html_text._BARE_ATTR.sub(r'\1\2=""', rendered)


@SETTINGS
@given(PIECES)
def test_markdown_to_html_equals_the_bare_attribute_substitution(source):
    source = html_text.strip_control(source)  # as render_body hands it over (cmark refuses lone surrogates)
    rendered = cmarkgfm.github_flavored_markdown_to_html(source, options=html_text._OPTIONS)
    assert html_text.markdown_to_html(source) == html_text._BARE_ATTR.sub(r'\1\2=""', rendered)


def _reference_body(post: Post) -> Body:
    """render_body for a Markdown post without template code, every pass run in full."""
    source = html_text._XML_INVALID.sub("", post.body)
    markup = html_text._BARE_ATTR.sub(r'\1\2=""',
                                      cmarkgfm.github_flavored_markdown_to_html(source, options=html_text._OPTIONS))
    if _MARKED.search(markup):
        markup = rewrite(markup, site_url=post.url, source=post.source)
    rendered = html_text.absolutize(markup, post.url)
    found = _MORE.search(rendered)
    full = _MORE.sub("", rendered)
    if found:
        summary = html_text.html_to_text(rendered[:found.start()])
    else:
        first = _FIRST_PARAGRAPH.search(full)
        summary = html_text.html_to_text(first.group(1) if first else full)
    return Body(html=full, summary=summary)


def _post(body: str) -> Post:
    moment = datetime(2024, 5, 1, tzinfo=timezone.utc)
    return Post(source="2024/a.md", id="tag:x,2024:a", slug="a", url="https://blog.example.org/2024/a/", title="A",
                published=moment, updated=moment, body=body, body_format="markdown")


def _real_markdown() -> list[str]:
    return [p.read_text(encoding="utf-8", errors="replace").partition("\n---")[2] or p.read_text(encoding="utf-8")
            for p in sorted((FIXTURES / "blogs").rglob("*.md"))]


def test_render_body_equals_every_pass_in_full_on_the_real_blogs():
    sources = [s for s in _real_markdown() if "{{" not in s and "{%" not in s]
    assert len(sources) > 20
    for source in sources:
        post = _post(source)
        assert render_body(post) == _reference_body(post)


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(MARKUP), st.sampled_from(_real_markdown()), TEXT), max_size=6).map("".join))
def test_render_body_equals_every_pass_in_full(source):
    source = source.replace("{{", "{ {").replace("{%", "{ %")  # template code is another module's matter
    post = _post(source)
    assert render_body(post) == _reference_body(post)


URL_PIECES = ["/", "./", "../", ".", "a", "Z", "0", "-", "_", "~", ":", ":80", "::", "@", "?", "#", ";", "%", "%20",
              "%zz", "[", "]", " ", "\t", "\n", "\x00", "é", "ü.de", "xn--", "..", "//x", "\u3000", "\x85", "\u200b",
              "=", "&", "+", "!", "$", "'", "(", "*", ","]
URLS = st.one_of(
    st.lists(st.one_of(st.sampled_from(URL_PIECES), st.text(max_size=3)), max_size=8).map("".join),
    st.builds(lambda scheme, host, port, path: scheme + host + port + "".join(path),
              st.sampled_from(["https://", "http://", "HTTPS://", "Http://", "ftp://", "//", " https://", "https:"]),
              st.sampled_from(["a.example", "B.Example", "", "ü.example", "[::1]", "a_b.example", "a..b", "-"]),
              st.sampled_from(["", ":80", ":", ":x", ":8080"]),
              st.lists(st.sampled_from(URL_PIECES), max_size=6)))
PLAIN = ["/", "a", "Z", "0", "-", "_", "~", ".", "..", "./", "../", "//"]
# A plain absolute URL but for at most one piece: the shortcut's edge
NEAR_PLAIN = st.builds(lambda scheme, host, path, odd, at: scheme + host + "/" + "".join(path[:at] + [odd] + path[at:]),
                       st.sampled_from(["https://", "http://"]), st.sampled_from(["a.example", "a.example:8080"]),
                       st.lists(st.sampled_from(PLAIN), max_size=4), st.sampled_from(URL_PIECES + [""]),
                       st.integers(0, 4))
BASES = st.sampled_from(["https://blog.example.org/", "https://blog.example.org/2024/a/", "http://x.example",
                         "https://[::1]:8080/p/", "", "https://ü.example/ä/"])
@SETTINGS
@given(st.one_of(URLS, NEAR_PLAIN), BASES)
def test_uri_equals_urljoin_then_as_uri(url, base):
    joined = html_text._XML_INVALID.sub("", url).strip()
    try:
        joined = urljoin(base, joined)
    except ValueError:
        pass
    uri.cache_clear()
    assert uri(url, base) == as_uri(joined)


def test_the_real_feeds_urls_take_the_short_cut_unchanged():
    urls = {u for text in real_html() for u in re.findall(r"""https?://[^\s"'<>]+""", text)}
    assert len(urls) > 50
    for url in urls:
        assert uri(url, "https://blog.example.org/") == as_uri(urljoin("https://blog.example.org/", url))


def _reference_html_to_text(fragment: str) -> str:
    """html_to_text as it was: module-level re.sub with string templates."""
    import html

    text = html_text._TAG.sub(" ", html_text._FOOTNOTE_REF.sub("", fragment))
    text = html_text._SPACE.sub(" ", html.unescape(text)).strip()
    return re.sub(r" ([.,;:!?)\]…])", r"\1", re.sub(r"([(\[]) ", r"\1", text))


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(["(", "[", " ", ")", "]", ".", "…", ",", "<b>", "</b>", "&amp;", "\\1",
                                           '<sup class="footnote-ref">1</sup>']), PIECES), max_size=8).map("".join))
def test_html_to_text_equals_the_string_templates(fragment):
    assert html_text.html_to_text(fragment) == _reference_html_to_text(fragment)
