"""posts/content.py finds the URL attributes to make absolute only before an "=" and a quote (faster than
the case-insensitive regex), and Pelican's intrasite test looks for its markers' characters before
its regex; Hypothesis holds both to the plain regular expressions."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.posts.content import _SRCSET, _URL_ATTR, absolutize, resolver

BASE = "https://example.org/posts/a/"
PIECES = ["href", "HREF", "hReF", "src", "SRC", "srcset", "SrcSet", "poster", "cite", "action", "ACTION",
          "=", " = ", '"', "'", "<a ", "<img ", ">", " ", "\t", "\n", "\u00a0", "\u2003", "\x1c", "\x85", "\x0b", "\u3000", "\u200b", "/x.png", "../y",
          "#top", "https://e.org/z", "1x, ", "2x", "&amp;", "&#383;", "\u017f", "\u0130", "\u0131", "\u212a",
          "ſrc", "hıref", "İ", "é", "🙂", "<p>", "</p>", "ẞ", "K"]
FRAGMENTS = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=30).map("".join)


def _reference(fragment: str, base: str) -> str:
    """absolutize as it was: two case-insensitive substitutions over the text."""
    resolve = resolver(base)

    def attr(m):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        return f'{m.group(1)}"{html.escape(resolve(html.unescape(value)), quote=True)}"'

    def srcset(m):
        value = html.unescape(m.group(2) if m.group(2) is not None else m.group(3))
        parts = []
        for candidate in value.split(","):
            bits = candidate.strip().split(None, 1)
            if bits:
                bits[0] = resolve(bits[0])
                parts.append(" ".join(bits))
        return f'{m.group(1)}"{html.escape(", ".join(parts), quote=True)}"'

    return _SRCSET.sub(srcset, _URL_ATTR.sub(attr, fragment))


@settings(max_examples=400, deadline=None)
@given(FRAGMENTS)
def test_absolutize_equals_the_case_insensitive_substitution(fragment):
    assert absolutize(fragment, BASE) == _reference(fragment, BASE)


def test_mixed_case_attributes_and_every_kind_are_made_absolute():
    fragment = '<a HREF="/a">x</a> <img Src=\'b.png\' srcSET="c.png 1x, /d.png 2x"> <video poster = "e.jpg">'
    assert absolutize(fragment, BASE) == (
        '<a HREF="https://example.org/a">x</a> <img Src="https://example.org/posts/a/b.png" '
        'srcSET="https://example.org/posts/a/c.png 1x, https://example.org/d.png 2x"> '
        '<video poster = "https://example.org/posts/a/e.jpg">')


MARKERS = st.lists(st.one_of(st.sampled_from(["{", "|", "%7B", "%7c", "%7", " href=", " SRC='", '"', "'", "{static}",
                                              "|filename|", " data=", "\u00a0", "x"]), st.text(max_size=3)),
                   max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(MARKERS)
def test_the_intrasite_quick_test_answers_as_its_regex(fragment):
    from syndicator.posts.intrasite import _MARKED, has_links

    assert has_links(fragment) == (_MARKED.search(fragment) is not None)
