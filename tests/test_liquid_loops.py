"""Liquid `{% assign %}` of literal lists and `{% for %}` loops over them render as Jekyll renders
them; anything else stays template code, removed with a warning at its original line."""

from __future__ import annotations

from syndicator.posts.liquid_loops import unroll
from syndicator.posts.templates import context_for, expand

CTX = context_for("https://ex.org/", "/{year}/{slug}/", (("repository", "https://github.com/o/r"),))
BODY = """\
Fixed: [#12][], [#7][].

{% assign issue_numbers = "12|7" | split: "|" %}
{% for issue in issue_numbers %}
[#{{ issue }}]: {{ site.repository }}/issues/{{ issue }}
{% endfor %}

{% for n in (1..3) %}{{ n }},{% endfor %}

`{% for issue in issue_numbers %}` shows a loop.

{% for f in page.filters %}{{ f }}{% endfor %}
{% unknown %}
"""


def test_simple_loops_render_and_link_definitions_resolve():
    done = expand(BODY, context=CTX)
    assert "[#12]: https://github.com/o/r/issues/12\n[#7]: https://github.com/o/r/issues/7\n" in done.text
    assert "1,2,3," in done.text
    assert "`{% for issue in issue_numbers %}`" in done.text  # code stays literal


def test_what_is_not_simple_is_removed_and_noted_at_its_original_line():
    done = expand(BODY, context=CTX)
    assert [(n.line, n.tag) for n in done.notes] == [
        (12, "{% for f in page.filters %}"), (12, "{{ f }}"), (13, "{% unknown %}")]  # endfor goes quietly


def test_unrolling_is_bounded_and_leaves_plain_text_alone():
    huge = unroll("{% for n in (1..10000000) %}x{% endfor %}")
    assert huge.text == "x" * 1000
    plain = "No loops here, a {% raw %}{% for x in y %}{% endraw %} and `{% assign a = \"b\" %}`."
    assert unroll(plain).text == plain
