"""Front matter as Hugo, Jekyll, Zola, Eleventy, Astro and Pelican write it, read as they write it."""

from __future__ import annotations

import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from syndicator.build import load_posts
from syndicator.config import load
from syndicator.errors import NotAPost, PostError
from syndicator.posts.reader import read

BERLIN = ZoneInfo("Europe/Berlin")


def _config(site: Path, extra: str = ""):
    if extra:
        site.write_text(site.read_text(encoding="utf-8") + textwrap.dedent(extra), encoding="utf-8")
    return load(site)


def _read(site: Path, text: str, name: str = "post.md", extra: str = ""):
    post, warnings = read(_config(site, extra), name, textwrap.dedent(text).lstrip("\n").encode(),
                          display=f"posts/{name}")
    return post, [f"{w.line}: {w.message}" for w in warnings]


def test_plain_author_names_match_authors_by_key_or_name_in_any_case_and_others_are_kept(site):
    post, warnings = _read(site, """
        ---
        title: T
        date: 2024-01-01
        author: [ANN, bob builder, Hugo Authors]
        ---
        x
    """)
    assert [(a.key, a.name) for a in post.authors] == [
        ("ann", "Ann Author"), ("bob", "Bob Builder"), ("hugo-authors", "Hugo Authors")]
    assert post.authors[0].bio == "Ann writes *tests*."
    assert post.authors[2].url is None
    assert warnings == []


def test_jekyll_post_with_singular_category_space_separated_tags_and_its_date_format(site):
    post, warnings = _read(site, """
        ---
        title: "Jekyll 4.4.1 Released"
        date: 2025-01-29 18:15:32 +0530
        author: parkr
        category: release
        tags: ruby  static-sites
        layout: news_item
        ---
        Hello.
    """, name="2025-01-29-jekyll-4-4-1-released.markdown", extra='[posts]\nengine = "jekyll"\n')
    assert post.published == datetime(2025, 1, 29, 18, 15, 32, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert post.categories == ("release",)
    assert post.tags == ("ruby", "static-sites")
    assert post.slug == "jekyll-4-4-1-released"
    assert post.authors[0].name == "parkr"
    assert warnings == []


@pytest.mark.parametrize("written, expected", [
    ("2023-01-29 18:30:22 2023 -0800", datetime(2023, 1, 29, 18, 30, 22, tzinfo=timezone(timedelta(hours=-8)))),
    ("2024-05-14 09:30", datetime(2024, 5, 14, 9, 30, tzinfo=BERLIN)),
    ('"2013-05-06 02:12:52 +0200"', datetime(2013, 5, 6, 2, 12, 52, tzinfo=timezone(timedelta(hours=2)))),
    ("2001-12-14 21:59:43.10 -5", datetime(2001, 12, 14, 21, 59, 43, 100000, tzinfo=timezone(timedelta(hours=-5)))),
    ("2024-05-14T09:30:00Z", datetime(2024, 5, 14, 9, 30, tzinfo=timezone.utc)),
    ("Tue, 14 May 2024 09:30:00 GMT", datetime(2024, 5, 14, 9, 30, tzinfo=timezone.utc)),
    ("'Jul 08 2022'", datetime(2022, 7, 8, tzinfo=BERLIN)),
    ("July 8, 2022", datetime(2022, 7, 8, tzinfo=BERLIN)),
    ("8 Sept 2022 10:15", datetime(2022, 9, 8, 10, 15, tzinfo=BERLIN)),
])
def test_date_formats_the_engines_write(site, written, expected):
    post, _ = _read(site, f"---\ntitle: T\ndate: {written}\n---\nx\n")
    assert post.published == expected


def test_astro_starter_post(site):
    post, warnings = _read(site, """
        ---
        title: 'First post'
        description: 'Lorem ipsum dolor sit amet'
        pubDate: 'Jul 08 2022'
        updatedDate: 'Jul 09 2022'
        heroImage: '../../assets/blog-placeholder-3.jpg'
        ---
        Lorem ipsum.
    """, name="first-post.md", extra='[posts]\nengine = "astro"\n')
    assert (post.published, post.updated) == (datetime(2022, 7, 8, tzinfo=BERLIN), datetime(2022, 7, 9, tzinfo=BERLIN))
    assert post.summary == "Lorem ipsum dolor sit amet"
    assert post.image.url == "https://test.example/assets/blog-placeholder-3.jpg"
    assert warnings == []


@pytest.mark.parametrize("value", ["Feb 30 2022", "31 April 2022"])
def test_impossible_month_name_dates_are_errors(site, value):
    with pytest.raises(PostError, match="is not a real date"):
        _read(site, f"---\ntitle: T\ndate: {value}\n---\nx\n")


@pytest.mark.parametrize("key", ["date", "publishDate", "pubDate", "published", "PUBLISHDATE"])
def test_every_publish_date_key(site, key):
    post, warnings = _read(site, f"---\ntitle: T\n{key}: 2024-03-02\n---\nx\n")
    assert post.published == datetime(2024, 3, 2, tzinfo=BERLIN)
    assert warnings == []


@pytest.mark.parametrize("key", ["lastmod", "last_modified_at", "modified", "updated", "updatedDate"])
def test_every_updated_date_key(site, key):
    post, warnings = _read(site, f"---\ntitle: T\ndate: 2024-03-02\n{key}: 2024-04-01T10:00:00Z\n---\nx\n")
    assert post.updated == datetime(2024, 4, 1, 10, tzinfo=timezone.utc)
    assert warnings == []


@pytest.mark.parametrize("name", ["2025/12/19/slug.md", "2025-12-19-slug/index.md", "notes/2025/12/19/slug.md"])
def test_date_from_folders_of_the_path(site, name):
    post, _ = _read(site, "---\ntitle: T\n---\nx\n", name=name)
    assert post.published == datetime(2025, 12, 19, tzinfo=BERLIN)
    assert post.slug == "slug"


def test_zola_date_and_address_from_the_path_key(site):
    post, warnings = _read(site, """
        +++
        title = "Hi"
        path = "2019/01/02/hello-world"
        [taxonomies]
        tags = ["rust", "zola"]
        [extra]
        author = "Vincent Prouillet"
        +++
        x
    """, extra='[posts]\nengine = "zola"\n')
    assert post.published == datetime(2019, 1, 2, tzinfo=BERLIN)
    assert post.url == "https://test.example/2019/01/02/hello-world"
    assert post.slug == "hello-world"
    assert post.tags == ("rust", "zola") and post.categories == ()
    assert [a.name for a in post.authors] == ["Vincent Prouillet"]
    assert warnings == []


def test_a_file_with_no_date_anywhere_is_still_a_clear_error(site):
    with pytest.raises(PostError, match="date is missing") as caught:
        _read(site, "---\ntitle: T\npermalink: /about/\n---\nx\n", name="about.md")
    assert caught.value.line == 2


@pytest.mark.parametrize("key, value, url", [
    ("permalink", "/blog/my-post/", "https://test.example/blog/my-post/"),
    ("url", "/custom/path/", "https://test.example/custom/path/"),
    ("permalink", "/blog/x/index.html", "https://test.example/blog/x/"),
])
def test_own_url_from_permalink_url_or_path(site, key, value, url):
    post, _ = _read(site, f"---\ntitle: T\ndate: 2024-01-01\n{key}: {value}\n---\nx\n")
    assert post.url == url


def test_a_permalink_pattern_or_template_is_not_taken_as_the_address(site):
    post, _ = _read(site, "---\ntitle: T\ndate: 2024-01-01\npermalink: /:year/:title/\n---\nx\n", name="a-b.md")
    assert post.url == "https://test.example/2024/01/a-b/"


def test_hugo_slug_is_used_as_written(site):
    post, _ = _read(site, "---\ntitle: T\ndate: 2024-01-01\nslug: My-Post.v2\n---\nx\n",
                    extra='[posts]\nengine = "hugo"\n')
    assert post.slug == "My-Post.v2"
    assert post.url == "https://test.example/2024/01/My-Post.v2/"


@pytest.mark.parametrize("summary_key", ["description", "excerpt", "summary"])
def test_summary_keys(site, summary_key):
    post, warnings = _read(site, f"---\ntitle: T\ndate: 2024-01-01\n{summary_key}: The gist.\n---\nx\n")
    assert post.summary == "The gist."
    assert warnings == []


def test_jekyll_excerpt_separator_from_the_config(site):
    post, _ = _read(site, "---\ntitle: T\ndate: 2024-01-01\n---\nFirst *part*.\n\nStill first.\n<!--cut-->\nRest.\n",
                    extra='[posts]\nengine = "jekyll"\nexcerpt_separator = "<!--cut-->"\n')
    assert post.summary == "First part.\nStill first." or post.summary == "First part. Still first."


@pytest.mark.parametrize("front", [
    "published: false", "draft: true", "draft: 'true'", "headless: true",
    "build:\n  list: never", "_build:\n  list: false", "eleventyExcludeFromCollections: true",
])
def test_hidden_from_feeds(site, front):
    post, warnings = _read(site, f"---\ntitle: T\ndate: 2024-01-01\n{front}\n---\nx\n")
    assert post.draft
    assert not post.is_published(datetime(2030, 1, 1, tzinfo=timezone.utc))
    assert warnings == []


def test_expiry_date_takes_the_post_out_of_the_feeds_when_it_passes(site):
    post, warnings = _read(site, "---\ntitle: T\ndate: 2024-01-01\nexpiryDate: 2024-06-01\n---\nx\n")
    assert post.is_published(datetime(2024, 5, 31, tzinfo=timezone.utc))
    assert not post.is_published(datetime(2024, 6, 2, tzinfo=timezone.utc))
    assert warnings == []


def test_an_expired_post_leaves_the_built_feeds(site, write_post):
    from syndicator.build import build

    write_post("2024-01-01-stays.md", "---\ntitle: Stays\n---\nx\n")
    write_post("2024-01-02-goes.md", "---\ntitle: Goes\nexpiryDate: 2024-06-01\n---\nx\n")
    config = load(site)
    before = build(config, now=datetime(2024, 5, 1, tzinfo=timezone.utc))
    after = build(config, now=datetime(2024, 7, 1, tzinfo=timezone.utc))
    assert {s.source for s in before.published} == {"2024-01-01-stays.md", "2024-01-02-goes.md"}
    assert {s.source for s in after.published} == {"2024-01-01-stays.md"}
    assert "Goes" not in (site.parent / "feeds" / "atom.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize("front, url, alt", [
    ("image: /img/a.png", "https://test.example/img/a.png", ""),
    ("images: [/img/b.jpg, /img/c.jpg]", "https://test.example/img/b.jpg", ""),
    ("featured_image: /img/d.jpg", "https://test.example/img/d.jpg", ""),
    ("cover:\n  image: /img/e.jpg\n  alt: An E\n  caption: cap", "https://test.example/img/e.jpg", "An E"),
    ("heroImage: /img/f.jpg", "https://test.example/img/f.jpg", ""),
    ("thumbnail: https://cdn.example/g.jpg", "https://cdn.example/g.jpg", ""),
])
def test_lead_image_keys(site, front, url, alt):
    post, warnings = _read(site, f"---\ntitle: T\ndate: 2024-01-01\n{front}\n---\nx\n")
    assert post.image is not None and post.image.url == url and post.image.alt == alt
    assert warnings == []


def test_page_bundle_resolves_relative_urls_against_the_posts_own_url(site):
    post, _ = _read(site, "---\ntitle: T\ndate: 2024-03-01\nimage: cover.jpg\n---\n![x](./possum.png)\n",
                    name="my-trip/index.md")
    assert post.url == "https://test.example/2024/03/my-trip/"
    assert post.image.url == "https://test.example/2024/03/my-trip/cover.jpg"
    from syndicator.posts.content import render_body
    assert 'src="https://test.example/2024/03/my-trip/possum.png"' in render_body(post).html


def test_layout_keys_are_known_and_unknown_keys_still_warn(site):
    _post, warnings = _read(site, """
        +++
        title = "T"
        date = 2024-01-01
        weight = 3
        type = "post"
        toc = true
        aliases = ["/old/"]
        template = "page.html"
        layout = "post"
        series = ["s"]
        [menu.main]
        weight = 1
        [extra]
        foo = 1
        [params]
        bar = 2
        +++
        x
    """)
    assert warnings == []
    _post, warnings = _read(site, "---\ntitle: T\ndate: 2024-01-01\ntittle: oops\n---\nx\n")
    assert warnings == ["4: unknown front matter key 'tittle' (did you mean 'title'?)"]


def test_custom_taxonomies_named_in_the_config(site):
    post, warnings = _read(site, """
        +++
        title = "T"
        date = 2024-01-01
        series = ["Rust in Anger"]
        genres = "essay"
        tags = ["a"]
        +++
        x
    """, extra='[posts]\nengine = "hugo"\ntaxonomies = {series = "tags", genres = "categories"}\n')
    assert post.tags == ("a", "Rust in Anger")
    assert post.categories == ("essay",)
    assert warnings == []


def test_hugo_json_front_matter(site):
    post, _ = _read(site, '{\n  "title": "JSON post",\n  "date": "2024-02-03",\n  "tags": ["x"]\n}\nBody.\n')
    assert (post.title, post.tags, post.body.strip()) == ("JSON post", ("x",), "Body.")


def test_pelican_header_front_matter(site):
    post, warnings = _read(site, """
        Title: My super title
        Date: 2010-12-03 10:20
        Modified: 2010-12-05 19:30
        Category: Python
        Tags: pelican, publishing
        Slug: my-super-post
        Authors: Alexis Metaireau, Conan Doyle
        Summary: Short version for index and feeds
            that goes on.

        This is the content of my super blog post.
    """, extra='[posts]\nengine = "pelican"\n')
    assert post.title == "My super title"
    assert post.published == datetime(2010, 12, 3, 10, 20, tzinfo=BERLIN)
    assert post.updated == datetime(2010, 12, 5, 19, 30, tzinfo=BERLIN)
    assert post.tags == ("pelican", "publishing") and post.categories == ("Python",)
    assert [a.name for a in post.authors] == ["Alexis Metaireau", "Conan Doyle"]
    assert post.summary == "Short version for index and feeds that goes on."
    assert post.body.strip() == "This is the content of my super blog post."
    assert warnings == []


def test_pelican_status_draft_is_hidden(site):
    post, _ = _read(site, "Title: T\nDate: 2024-01-01\nStatus: draft\n\nx\n")
    assert post.draft


@pytest.mark.parametrize("name, text", [
    ("blog/_index.md", "---\ntitle: Blog\n---\n"),
    ("search.md", "---\nlayout: search\n---\n"),
    ("feed.md", "---\npermalink: false\ntitle: X\ndate: 2024-01-01\n---\nx\n"),
])
def test_section_and_template_pages_are_not_posts(site, name, text):
    with pytest.raises(NotAPost):
        _read(site, text, name=name)


def test_section_pages_are_neither_posts_nor_problems_in_a_build(site, write_post):
    write_post("blog/_index.md", "+++\ntitle = \"Blog\"\nsort_by = \"date\"\n+++\n")
    write_post("blog/2024-01-01-a.md", "---\ntitle: A\n---\nx\n")
    write_post("search.md", "---\nlayout: search\n---\n")
    result = load_posts(load(site), cache=None)
    assert [p.source for p in result.posts] == ["blog/2024-01-01-a.md"]
    assert result.problems == []


def test_zola_slugifies_the_slug_it_is_given(site):
    post, _ = _read(site, '+++\ntitle = "T"\ndate = 2017-01-01\nslug = "something & else"\n+++\nx\n',
                    extra='[posts]\nengine = "zola"\n')
    assert post.slug == "something-else"


def test_hugo_page_bundle_resources_are_not_posts(site, write_post):
    site.write_text(site.read_text(encoding="utf-8") + '[posts]\nengine = "hugo"\n', encoding="utf-8")
    write_post("homepage/index.md", "---\nheadless: true\n---\n")
    write_post("homepage/about.md", "---\ntitle: 'Our Difference'\nweight: 2\n---\nLorem.\n")
    write_post("post/2024-01-01-real.md", "---\ntitle: Real\n---\nx\n")
    result = load_posts(load(site), cache=None)
    assert [p.source for p in result.posts] == ["post/2024-01-01-real.md"]
    assert result.problems == []


def test_javascript_front_matter_that_is_code_is_an_error_at_its_line(site):
    post, _ = _read(site, "---js\n// data only\nconst title = 'T';\nlet date = \"2024-01-01\"\nvar draft = false;\n---\nx\n")
    assert (post.title, post.draft) == ("T", False)
    with pytest.raises(PostError, match="JavaScript front matter is code") as caught:
        _read(site, "---js\nconst title = 'T';\nconst date = new Date();\n---\nx\n")
    assert caught.value.line == 3


def test_a_byte_order_mark_alone_is_an_empty_file(site):
    with pytest.raises(PostError, match="the file is empty"):
        read(load(site), "a.md", b"\xef\xbb\xbf\n", display="posts/a.md")


def test_astro_nested_slug(site):
    post, _ = _read(site, "---\ntitle: T\npubDate: 'Jul 08 2022'\nslug: 'trip/file_upload_abuse'\n---\nx\n",
                    extra='[posts]\nengine = "astro"\n')
    assert post.url == "https://test.example/2022/07/trip/file_upload_abuse/"
    with pytest.raises(PostError, match="is not a URL path segment"):
        _read(site, "---\ntitle: T\npubDate: 'Jul 08 2022'\nslug: 'a//b c'\n---\nx\n")
