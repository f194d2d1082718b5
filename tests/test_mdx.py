"""MDX posts (.mdx): read as Markdown; ESM, components and expressions removed with a file:line
warning; the words a component wraps, code and plain HTML kept."""

from __future__ import annotations

from datetime import datetime, timezone

from lxml import html as lxml_html

from syndicator.build.scan import load_posts
from syndicator.config import load
from syndicator.model import Post
from syndicator.posts.content import render_body
from syndicator.posts.mdx import strip

WHEN = datetime(2024, 1, 2, tzinfo=timezone.utc)
BODY = """\
import { Chart } from "../components/Chart.jsx";
export const year = 2024;

Hello {props.name}, see `{code}` and <b>bold</b> {/* a note */}.

<Card title="x" onclick={() => alert(1)}>
    Inside **strong** words.
    <Chart data={{ a: 1 }} />
</Card>

```jsx
import x from "y";
<Chart />
```

a < b and <ui.Badge /> end
"""


def html_of(body: str) -> str:
    post = Post(source="a.mdx", id="x", slug="a", title="A", url="https://ex.org/a/", published=WHEN,
                updated=WHEN, body=body, body_format="mdx")
    return render_body(post).html


def test_esm_components_and_expressions_are_removed_with_their_lines():
    done = strip(BODY)
    assert [(n.line, n.tag) for n in done.notes] == [
        (1, 'import { Chart } from "../components/Chart.jsx"; export const year = 2024;'),
        (4, "{props.name}"), (6, "<Card>"), (8, "<Chart data={{ a: 1 }} />"), (16, "<ui.Badge />")]
    assert "{/*" not in done.text and "a note" not in done.text


def test_the_feed_keeps_words_code_and_html_but_no_javascript():
    rendered = html_of(BODY)
    tree = lxml_html.fromstring(f"<div>{rendered}</div>")
    code = tree.xpath("//pre/code")[0].text_content()
    assert code == 'import x from "y";\n<Chart />\n'
    assert tree.xpath("//p/code")[0].text == "{code}"
    for block in tree.xpath("//pre | //p/code"):
        block.drop_tree()
    text = tree.text_content()
    assert "Inside strong words." in text and "<strong>strong</strong>" in rendered  # not an indented code block
    assert tree.xpath("//b")[0].text == "bold" and "a < b and" in text
    for gone in ("import", "export", "props", "Card", "Chart", "alert", "Badge", "{", "}"):
        assert gone not in text, gone


def test_a_body_without_mdx_syntax_is_unchanged():
    plain = "Just *Markdown* with a [link](https://ex.org/).\n\n    indented code stays\n"
    assert strip(plain).text == plain and strip(plain).notes == ()


def test_build_reads_mdx_and_warns_at_the_file_line(site, tmp_path):
    (tmp_path / "posts" / "2024-01-02-t.mdx").write_text(
        "---\ntitle: T\n---\nimport X from './x.astro';\n\nHello <X />.\n")
    result = load_posts(load(site))
    assert [p.title for p in result.posts] == ["T"] and result.rejected == 0
    assert [(p.path, p.line, p.severity) for p in result.problems] == [
        ("posts/2024-01-02-t.mdx", 4, "warning"), ("posts/2024-01-02-t.mdx", 6, "warning")]
