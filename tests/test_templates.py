"""Template code in post bodies: the common shortcodes and Liquid tags render, the rest is
removed with a file:line warning, and code shows template syntax literally."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone

from lxml import html as lxml_html

from syndicator.config import load
from syndicator.model import Post
from syndicator.posts.content import markdown_to_html, render_body
from syndicator.build.scan import load_posts
from syndicator.posts.templates import context_for, expand

CTX = context_for("https://ex.org/blog/", "/blog/{year}/{month}/{day}/{slug}/")
WHEN = datetime(2024, 1, 2, tzinfo=timezone.utc)


def html_of(body: str, site_url: str = "https://ex.org/blog/") -> str:
    post = Post(source="a.md", id="x", slug="a", title="A", url=site_url + "a/", published=WHEN,
                updated=WHEN, body=body, body_format="markdown")
    return render_body(post).html


def links(fragment: str) -> list[str]:
    return lxml_html.fromstring(f"<div>{fragment}</div>").xpath("//a/@href")


def test_hugo_embeds_become_links_a_reader_can_follow():
    text = expand('{{< youtube ZJthWmvUzzc >}}\n\n{{< vimeo id="146022717" >}}\n\n'
                  '{{< tweet user="SanDiegoZoo" id="1453110110599868418" >}}\n\n{{< x user="a" id="2" >}}\n\n'
                  '{{< instagram BWNjjyYFxVx hidecaption >}}\n\n{{< gist spf13 7896402 >}}\n',
                  context=CTX)
    assert text.notes == ()
    assert links(text.text) == [
        "https://www.youtube.com/watch?v=ZJthWmvUzzc", "https://vimeo.com/146022717",
        "https://twitter.com/SanDiegoZoo/status/1453110110599868418", "https://x.com/a/status/2",
        "https://www.instagram.com/p/BWNjjyYFxVx/", "https://gist.github.com/spf13/7896402"]


def test_figure_renders_image_with_caption_and_absolute_src():
    out = html_of('{{< figure src="/img/cat.jpg" title="A cat" alt="A grey cat" >}}\n')
    tree = lxml_html.fromstring(out)
    assert tree.xpath("//figure/img/@src") == ["https://ex.org/img/cat.jpg"]
    assert tree.xpath("//figure/img/@alt") == ["A grey cat"]
    assert tree.xpath("//figcaption/text()") == ["A cat"]


def test_highlight_in_both_dialects_becomes_a_code_block():
    out = html_of("{% highlight ruby %}\nputs `ls`\n{% endhighlight %}\n\n"
                  '{{< highlight go "linenos=table" >}}\nfunc main() {}\n{{< /highlight >}}\n')
    tree = lxml_html.fromstring(f"<div>{out}</div>")
    assert tree.xpath("//pre/@lang") == ["ruby", "go"]
    assert [c.text_content() for c in tree.xpath("//pre/code")] == ["puts `ls`\n", "func main() {}\n"]


def test_liquid_links_and_site_values_resolve_against_the_site():
    out = markdown_to_html(expand("[a]({% post_url 2013-05-06-jekyll-1-0-0-released %}) [b]({% link _posts/2014-01-02-b.md %}) "
                  "[c]({{ site.url }}{{ site.baseurl }}/c/) [d]({{ '/d/' | relative_url }}) "
                  "[e]({{ \"/e\" | absolute_url }}) [f]({% link about.md %}) [g]({% link\n_posts/2015-02-03-g.md %})\n",
        context=CTX).text)
    assert links(out) == ["https://ex.org/blog/2013/05/06/jekyll-1-0-0-released/",
                          "https://ex.org/blog/2014/01/02/b/", "https://ex.org/blog/c/",
                          "/blog/d/", "https://ex.org/blog/e", "https://ex.org/blog/about.html",
                          "https://ex.org/blog/2015/02/03/g/"]


def test_hugo_ref_resolves_to_the_post_url():
    ctx = context_for("https://ex.org/", "/post/{slug}/")
    text = expand('[x]({{< ref "post/rich-content.md" >}}) [y]({{< relref "/post/other/index.md#part" >}})',
                  context=ctx)
    assert text.text == "[x](https://ex.org/post/rich-content/) [y](https://ex.org/post/other/#part)"


def test_code_and_raw_keep_template_syntax_literally():
    src = ("```liquid\n{{ page.title }} {% if x %}\n```\n\nInline `{{< youtube x >}}` here.\n\n"
           "{% raw %}{{ site.data }}{% endraw %}\n\n~~~\n{{% note %}}\n~~~\n\n{{</* youtube z */>}}\n")
    text = expand(src, context=CTX)
    assert text.notes == ()
    assert "{{ page.title }} {% if x %}" in text.text
    assert "`{{< youtube x >}}`" in text.text and "{{ site.data }}" in text.text
    assert "{{% note %}}" in text.text and "{{< youtube z >}}" in text.text
    assert "{% raw %}" not in text.text


def test_unknown_template_code_is_removed_and_noted_with_its_line():
    src = "One.\n\n{{< notice warning >}}Careful{{< /notice >}}\n\n{% for i in list %}{{ i }}{% endfor %}\n"
    text = expand(src, context=CTX)
    assert "{{" not in text.text and "{%" not in text.text
    assert "Careful" in text.text
    assert [(n.line, n.tag) for n in text.notes] == [
        (3, "{{< notice warning >}}"), (5, "{% for i in list %}"), (5, "{{ i }}")]


def test_ref_to_a_post_whose_address_needs_a_date_is_noted():
    text = expand('{{< ref "other.md" >}}', context=CTX)
    assert text.text == "" and text.notes[0].tag == '{{< ref "other.md" >}}'


def test_build_warns_with_file_line_and_feed_has_no_template_code(site, tmp_path):
    post = tmp_path / "posts" / "2024-01-02-t.md"
    post.write_text("---\ntitle: T\n---\nHello.\n\n{{< mystery a=1 >}}\n\n{{< youtube abc >}}\n")
    result = subprocess.run([sys.executable, "-m", "syndicator", "build"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert ("posts/2024-01-02-t.md:6: warning: template code {{< mystery a=1 >}} removed from the feed"
            in result.stderr)
    for feed in ("rss.xml", "atom.xml", "feed.json"):
        text = (tmp_path / "feeds" / feed).read_text()
        assert "{{" not in text and "youtube.com/watch?v=abc" in text


def test_loader_reports_template_warnings_without_rejecting(site, tmp_path):
    (tmp_path / "posts" / "2024-01-02-t.md").write_text("---\ntitle: T\n---\n{% include x.html %}\n")
    result = load_posts(load(site))
    assert len(result.posts) == 1 and result.rejected == 0
    assert [(p.line, p.severity) for p in result.problems] == [(4, "warning")]


def test_smartify_writes_titles_as_jekyll_feed_does():
    from syndicator.posts.typography import smartify

    assert smartify("Jekyll's \"new\" lead -- and more... ('quoted')") == \
        "Jekyll\u2019s \u201cnew\u201d lead \u2013 and more\u2026 (\u2018quoted\u2019)"
