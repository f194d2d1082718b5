"""posts/cmark_render.py renders Markdown as cmarkgfm's GitHub-flavoured function does, freeing what
cmark allocates: Hypothesis holds the HTML equal on generated Markdown (every extension's syntax,
footnotes, raw HTML, hostile text) and on the real blogs' posts in tests/fixtures."""

from __future__ import annotations

from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import given
from hypothesis import strategies as st
from render_strategies import SETTINGS, TEXT

from syndicator.posts import cmark_render
from syndicator.posts.html_text import _OPTIONS

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SYNTAX = ["| a | b |\n|---|:-:|\n| 1 | 2 |\n", "- [ ] task\n- [x] done\n", "~~gone~~", "www.example.com", "https://x.example/a",
          "<script>x</script>", "<title>t</title>", "<div class=\"a\">\n\n*x*\n\n</div>", "[^1]", "\n\n[^1]: the note\n",
          "[^n]: a\n", "```python\ncode\n```\n", "    indented\n", "> quote\n", "# H\n", "***", "**b**", "_i_", "`c`",
          "[l](/rel \"t\")", "![i](x.png)", "<!-- more -->", "&amp;", "&#0;", "&#xFFFE;", "\\", "\n", "\n\n", "\t", "é🙂",
          "1. one\n2. two\n", "<https://auto.example>", "a@b.example", "[ref]\n\n[ref]: /u\n", "|", "---\n"]
MARKDOWN = st.lists(st.one_of(st.sampled_from(SYNTAX), TEXT), max_size=12).map("".join)
OPTIONS = st.sampled_from([0, _OPTIONS, Options.CMARK_OPT_UNSAFE, _OPTIONS | Options.CMARK_OPT_SMART])


def _outcome(make):
    try:
        return make()
    except ValueError as exc:  # a lone surrogate cannot be encoded (UnicodeEncodeError)
        return type(exc), str(exc)


@SETTINGS
@given(MARKDOWN, OPTIONS)
def test_to_html_equals_cmarkgfm(text, options):
    assert _outcome(lambda: cmark_render.to_html(text, options=options)) == \
        _outcome(lambda: cmarkgfm.github_flavored_markdown_to_html(text, options=options))


def test_to_html_equals_cmarkgfm_on_the_real_blogs():
    sources = [p.read_text(encoding="utf-8", errors="replace") for p in sorted((FIXTURES / "blogs").rglob("*.md"))]
    assert len(sources) > 20
    for text in sources:
        assert cmark_render.to_html(text, options=_OPTIONS) == \
            cmarkgfm.github_flavored_markdown_to_html(text, options=_OPTIONS)


def test_the_freeing_renderer_is_the_one_in_use_here():
    """On this platform (Linux, as CI) the symbols load: the test above compared the freeing path."""
    if cmark_render._freeing() is None:
        pytest.fail("cmark_node_free / free could not be loaded")
