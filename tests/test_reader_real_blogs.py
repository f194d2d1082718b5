"""The reader on real blogs' posts, kept in tests/fixtures/blogs/ (sources and licences in its
README): every post the engine publishes is read, none is rejected, and the values are the
engine's (dates, authors as names, singular categories, section pages skipped)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from syndicator.build import load_posts
from syndicator.config import load

BLOGS = Path(__file__).parent / "fixtures" / "blogs"


def _load(tmp_path: Path, posts: Path, engine: str, extra: str = ""):
    config = tmp_path / "syndicator.toml"
    config.write_text(f'[site]\ntitle = "T"\nurl = "https://example.org/"\nposts = "{posts}"\n\n'
                      f'[posts]\nengine = "{engine}"\n{extra}', encoding="utf-8")
    result = load_posts(load(config), cache=None)
    return {p.source: p for p in result.posts}, result


def test_jekyll_news_posts_all_read_as_jekyll_writes_them(tmp_path):
    folder = BLOGS / "jekyll-news" / "_posts"
    posts, result = _load(tmp_path, folder, "jekyll")
    assert result.files == len(list(folder.iterdir())) == len(posts) >= 12
    assert result.rejected == 0
    odd = posts["2023-01-29-jekyll-3-9-3-released.markdown"]  # `2023-01-29 18:30:22 2023 -0800`
    assert odd.published == datetime(2023, 1, 29, 18, 30, 22, tzinfo=timezone(timedelta(hours=-8)))
    assert [a.name for a in odd.authors] == ["parkr"] and odd.categories == ("release",)
    quoted = posts["2013-05-06-jekyll-1-0-0-released.markdown"]  # date: "2013-05-06 02:12:52 +0200"
    assert quoted.published == datetime(2013, 5, 6, 2, 12, 52, tzinfo=timezone(timedelta(hours=2)))
    undated = posts["2014-05-06-jekyll-turns-2-0-0.markdown"]  # the date is only in the file name
    assert undated.published == datetime(2014, 5, 6, tzinfo=timezone.utc)
    # the only warnings are Jekyll's custom `version` key and template code (adopt's templates.py)
    others = [p for p in result.problems if "'version'" not in p.message and "template code" not in p.message]
    assert others == []


def test_hugo_basic_example_posts_read_and_section_and_bundle_pages_skipped(tmp_path):
    posts, result = _load(tmp_path, BLOGS / "hugo-basic-example" / "content", "hugo",
                          'taxonomies = {series = "tags"}\n')
    assert result.rejected == 0
    assert sorted(posts) == ["about.md", "post/emoji-support.md", "post/markdown-syntax.md",
                             "post/math-typesetting.md", "post/placeholder-text.md", "post/rich-content.md"]
    syntax = posts["post/markdown-syntax.md"]
    assert [a.name for a in syntax.authors] == ["Hugo Authors"]
    assert syntax.tags == ("markdown", "css", "html", "Themes Guide")  # series, mapped to tags
    assert syntax.categories == ("themes", "syntax")
    assert syntax.summary and syntax.summary.startswith("Sample article showcasing basic Markdown syntax")
    assert not [p for p in result.problems if "unknown front matter key" in p.message]


def test_eleventy_base_blog_posts_including_the_javascript_front_matter_draft(tmp_path):
    posts, result = _load(tmp_path, BLOGS / "eleventy-base-blog" / "content" / "blog", "eleventy")
    assert result.rejected == 0 and result.problems == []
    assert len(posts) == 5
    draft = posts["fifthpost.md"]  # ---js: const title = ...; const draft = true;
    assert (draft.title, draft.draft) == ("This is a fifth post", True)
    assert posts["firstpost.md"].tags == ("another tag",)  # Eleventy: a string is one tag
    assert posts["thirdpost.md"].tags == ("second tag", "posts with two tags")
    assert posts["firstpost.md"].summary == "This is a post on My Blog about agile frameworks."
