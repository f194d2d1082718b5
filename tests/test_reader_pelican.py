"""Pelican's reStructuredText and HTML-page articles read as Pelican reads them, and safely:
no file, URL or raw HTML gets in through reST, and nothing docutils could not read shows raw."""

from __future__ import annotations

import string
import textwrap
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from pelican.settings import DEFAULT_CONFIG
from pelican.utils import slugify as pelican_slugify

from syndicator.build import load_posts
from syndicator.config import load
from syndicator.posts import pelican_rules
from syndicator.posts.rst import MAX_NESTING, nesting_line
from syndicator.posts.content import render_body
from tests.test_reader_engines import BERLIN, _read

PELICAN = '[posts]\nengine = "pelican"\nfolder_category = true\ndefault_category = "misc"\n'


def test_rst_title_and_field_list_are_the_metadata(site):
    post, warnings = _read(site, """
        My *super* title & more
        #######################

        :date: 2010-10-03 10:20
        :modified: 2010-10-04 18:40
        :tags: thats, awesome
        :category: yeah
        :authors: Alexis Metaireau; Conan Doyle
        :summary: Short version for **index** and feeds

        This is the content of my super blog post.
    """, name="2010-10-03-file-name.rst", extra=PELICAN)
    assert post.title == "My super title & more"
    assert post.slug == "my-super-title-more"  # from the title, as Pelican: not from the file name
    assert post.published == datetime(2010, 10, 3, 10, 20, tzinfo=BERLIN)
    assert post.updated == datetime(2010, 10, 4, 18, 40, tzinfo=BERLIN)
    assert (post.tags, post.categories) == (("thats", "awesome"), ("yeah",))
    assert [a.name for a in post.authors] == ["Alexis Metaireau", "Conan Doyle"]
    assert post.summary == "Short version for index and feeds"
    assert post.body_format == "rst" and warnings == []
    body = render_body(post).html
    assert "This is the content" in body and "<em>super</em>" not in body and ":date:" not in body


def test_category_is_the_folder_else_the_default_and_the_date_can_be_in_the_file_name(site):
    post, _ = _read(site, "Title\n#####\n\nx\n", name="python/2012-11-30_notes.rst", extra=PELICAN)
    assert post.categories == ("python",) and post.published == datetime(2012, 11, 30, tzinfo=BERLIN)
    post, _ = _read(site, "Title\n#####\n\n:date: 2020-01-01\n\nx\n", name="top.rst")
    assert post.categories == ("misc",)


def test_html_page_article_reads_title_meta_and_body_only(site):
    post, warnings = _read(site, """
        <html>
            <head>
                <title>This is a super &amp; article !</title>
                <meta name="date" content="2010-12-02 10:14" />
                <meta name="keywords" content="foo, bar, foobar" />
                <meta name="category" content="yeah" />
                <meta name="authors" content="Alexis Métaireau, Conan Doyle" />
                <meta name="summary" content="Summary and stuff" />
                <meta name="custom_field" content="x" />
            </head>
            <body>
                Multi-line metadata should be supported
                as well as <strong>inline markup</strong>.
            </body>
        </html>
    """, name="article.html", extra=PELICAN)
    assert (post.title, post.slug) == ("This is a super & article !", "this-is-a-super-article")
    assert post.tags == ("foo", "bar", "foobar") and post.categories == ("yeah",)
    assert [a.name for a in post.authors] == ["Alexis Métaireau", "Conan Doyle"]
    assert post.summary == "Summary and stuff" and post.published == datetime(2010, 12, 2, 10, 14, tzinfo=BERLIN)
    assert "<strong>inline markup</strong>" in post.body and "<head" not in post.body
    assert warnings == ["9: unknown front matter key 'custom_field'"]


def test_rst_cannot_read_files_urls_or_raw_html_and_says_where(site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE\n", encoding="utf-8")
    post, warnings = _read(site, f"""
        Hostile
        #######

        :date: 2024-01-01

        .. include:: {secret}

        .. raw:: html

           <script>alert(1)</script>

        .. csv-table:: t
           :file: {secret}

        .. csv-table:: u
           :url: http://127.0.0.1:9/x.csv

        Some :strike:`struck` text and an |undefined| substitution.

        .. video:: clip.mp4
    """, name="hostile.rst", extra=PELICAN)
    html = render_body(post).html
    for leaked in ("TOP-SECRET-VALUE", "<script", "alert(1)", ":strike:", "|undefined|", "clip.mp4",
                   "problematic", "system-message", "System Messages"):
        assert leaked not in html, leaked
    assert "Some struck text and an  substitution." in html
    lines = {w.split(":", 1)[0] for w in warnings}
    assert {"6", "8", "12", "15", "18", "20"} <= lines, warnings
    assert all("reStructuredText: " in w for w in warnings)


def _nested_list(levels: int) -> str:
    """A reST post whose list goes `levels` deep; its first item is on line 6, one item every 2 lines."""
    return "Deep\n####\n\n:date: 2024-01-01\n\n" + "".join("  " * i + "- x\n\n" for i in range(levels))


def test_deeply_nested_rst_is_a_problem_at_its_line_not_a_crash(site, write_post):
    # 3,000 levels: docutils would take ~16 s and 2.7 GB to fail; the post is refused before it parses
    write_post("deep.rst", _nested_list(3000))
    write_post("fine.rst", "Fine\n####\n\n:date: 2024-01-01\n\nok\n")
    loaded = load_posts(load(site))
    assert [p.source for p in loaded.posts] == ["fine.rst"]
    first_too_deep = 6 + 2 * MAX_NESTING  # the item that opens level MAX_NESTING + 1
    assert [(p.path, p.line) for p in loaded.problems] == [("posts/deep.rst", first_too_deep)]
    assert f"nested more than {MAX_NESTING} levels" in str(loaded.problems[0])


def test_rst_nested_as_deep_as_allowed_still_publishes(site, write_post):
    write_post("deep.rst", _nested_list(MAX_NESTING))
    loaded = load_posts(load(site))
    assert [p.source for p in loaded.posts] == ["deep.rst"] and loaded.problems == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.sampled_from(["- x", "text", "", "\tx", " \t y"])), max_size=40),
       st.integers(1, 6))
def test_nesting_line_is_where_the_indentation_stack_first_grows_too_deep(lines, most):
    text = "\n".join(" " * indent + body for indent, body in lines)
    expected, stack = 0, [0]  # the reference: indentation levels as a stack, like Python's tokenizer
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        indent = len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip())
        stack = [level for level in stack if level <= indent]
        if indent > stack[-1]:
            stack.append(indent)
        if len(stack) > most:
            expected = number
            break
    assert nesting_line(text, most) == expected


LATIN = string.ascii_letters + string.digits + " -_.,:;!?'\"()&/" + "àáâãäåçèéêëìíîïñòóôõöùúûüýÀÉÖÜÑßæøœ"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=LATIN, max_size=40))
def test_slug_is_pelicans_own_for_latin_titles(title):
    subs = DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"]
    assert pelican_rules.slug(title) == pelican_slugify(title, regex_subs=subs)


def test_rst_post_reaches_the_feed_as_html(site, write_post):
    write_post("a.rst", textwrap.dedent("""\
        A title
        #######

        :date: 2024-01-01

        Text with ``code`` and a `link <https://example.org/>`_.

        .. code-block:: python
           :linenos: table

           print("hi")
    """))
    loaded = load_posts(load(site))
    body = render_body(loaded.posts[0]).html
    assert loaded.problems == [] and '<a class="reference external" href="https://example.org/">link</a>' in body
    assert '<pre class="code python literal-block">\nprint(&quot;hi&quot;)' in body


def test_html_page_entity_bomb_is_not_expanded(site):
    lol = "".join(f'<!ENTITY lol{i} "{"&lol%d;" % (i - 1) * 10}">' for i in range(1, 10))
    post, _ = _read(site, f"""
        <!DOCTYPE html [<!ENTITY lol0 "lol">{lol}]>
        <html><head><title>Bomb &lol9;</title><meta name="date" content="2024-01-01"></head>
        <body><p>&lol9; &amp; ok</p></body></html>
    """, name="bomb.html", extra=PELICAN)
    html = render_body(post).html
    assert len(html) < 200 and "lollol" not in html and "lollol" not in post.title


def test_markdown_meta_between_dashes_is_not_yaml_and_keeps_repeated_keys(site):
    post, warnings = _read(site, """
        ---
        title: Colons: and @handles
        date: 2024-02-03
        tags: one, two
        twitter_site: @someone
        summary: first line
            continued here
        ---
        Body *text*.
    """, name="meta.md", extra=PELICAN)
    assert (post.title, post.tags) == ("Colons: and @handles", ("one", "two"))
    assert post.summary == "first line continued here"
    assert render_body(post).html.strip() == "<p>Body <em>text</em>.</p>"
    assert warnings == ["5: unknown front matter key 'twitter_site'"]
