"""Reading posts: front matter, dates, authors, attribution, and every kind of bad input."""

from __future__ import annotations

import os

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from syndicator.config import load
from syndicator.build import load_posts

BERLIN = ZoneInfo("Europe/Berlin")


def _load(site):
    result = load_posts(load(site), cache=None)
    return {p.source: p for p in result.posts}, [str(p) for p in result.problems]


def test_yaml_post_with_full_attribution(site, write_post):
    write_post("2024-05-14-hello.md", """
        ---
        title: Hello
        date: 2024-05-14T09:30:00
        tags: [one, "two words", Café]
        categories: Essays
        image:
          url: /img/a.jpg
          alt: A thing
          credit: {name: Rae, url: "https://photos.example/rae", source: Unsplash, source_url: "https://unsplash.example/"}
        influences: ["Plain Name", {name: Linked, url: "https://linked.example/", note: why}]
        sources: [{title: Origin, url: "https://origin.example/x"}]
        via: https://via.example/post
        license: https://creativecommons.org/licenses/by/4.0/
        ---
        Body with a footnote.[^n]

        [^n]: The note.
        """)
    posts, problems = _load(site)
    assert problems == []
    post = posts["2024-05-14-hello.md"]
    assert post.published == datetime(2024, 5, 14, 9, 30, tzinfo=BERLIN)
    assert post.id == "tag:test.example,2024-05-14:hello"
    assert post.url == "https://test.example/2024/05/hello/"
    assert post.tags == ("one", "two words", "Café") and post.categories == ("Essays",)
    assert [a.name for a in post.authors] == ["Ann Author"]  # the site owner by default
    assert post.authors[0].bio_html == "<p>Ann writes <em>tests</em>.</p>"
    assert post.image.url == "https://test.example/img/a.jpg" and post.image.type == "image/jpeg"
    assert post.image.credit.text() == "Photo by Rae on Unsplash"
    assert [(i.name, i.url, i.note) for i in post.influences] == [
        ("Plain Name", None, None), ("Linked", "https://linked.example/", "why")]
    assert post.sources[0].name == "Origin" and post.via.url == "https://via.example/post"
    assert "Body with a footnote" in post.body


def test_toml_post_and_explicit_id_and_offset(site, write_post):
    write_post("t.md", """
        +++
        title = "Toml"
        date = 2024-01-02T03:04:05+05:00
        id = "urn:uuid:1234"
        authors = ["ann", "bob"]
        +++
        Text.
        """)
    posts, problems = _load(site)
    assert problems == []
    post = posts["t.md"]
    assert post.id == "urn:uuid:1234"
    assert post.published.utcoffset().total_seconds() == 5 * 3600
    assert [a.key for a in post.authors] == ["ann", "bob"]


def test_date_from_file_name_and_html_body(site, write_post):
    write_post("sub/2023-12-31-new-year.html", "---\ntitle: NY\n---\n<p>Hi</p>\n")
    posts, problems = _load(site)
    post = posts["sub/2023-12-31-new-year.html"]
    assert problems == [] and post.slug == "new-year" and post.body_format == "html"
    assert post.published == datetime(2023, 12, 31, tzinfo=BERLIN)


def test_unknown_key_warns_with_suggestion_and_still_publishes(site, write_post):
    write_post("2024-01-01-a.md", "---\ntitle: A\ntittle: typo\n---\nx\n")
    posts, problems = _load(site)
    assert "2024-01-01-a.md" in posts
    assert problems == ["posts/2024-01-01-a.md:3: warning: unknown front matter key 'tittle' (did you mean 'title'?)"]


def test_each_broken_post_is_reported_with_file_and_line_and_the_rest_load(site, write_post):
    write_post("2024-01-01-good.md", "---\ntitle: Good\n---\nfine\n")
    write_post("bad-yaml.md", "---\ntitle: Bad\ntags: [unclosed\n---\nx\n")
    write_post("bad-toml.md", "+++\ntitle = \n+++\nx\n")
    write_post("bad-date.md", "---\ntitle: D\ndate: 14th of May\n---\nx\n")
    write_post("2024-01-01-who.md", "---\ntitle: W\ndate: 2025-02-29\n---\nx\n")
    write_post("2024-01-01-latin1.md", "---\ntitle: caf\xe9\n---\n".encode("latin-1"))
    write_post("2024-01-01-empty.md", "")
    write_post("2024-01-01-binary.md", b"\x89PNG\r\n\x1a\n\x00\x00")
    write_post("2024-01-01-notitle.md", "---\ndate: 2024-01-01\n---\nx\n")
    write_post("nodate.md", "---\ntitle: No date\n---\nx\n")
    write_post("2024-01-01-nofm.md", "Just text.\n")
    posts, problems = _load(site)
    assert list(posts) == ["2024-01-01-good.md"]
    text = "\n".join(problems)
    for expected in (
        "posts/bad-yaml.md:", "invalid YAML",
        "posts/bad-toml.md:2: invalid TOML",
        "posts/bad-date.md:3: date: '14th of May' is not a date",
        "posts/2024-01-01-who.md:3: date: '2025-02-29' is not a real date",
        "posts/2024-01-01-latin1.md:2: not valid UTF-8",
        "posts/2024-01-01-empty.md:1: the file is empty",
        "posts/2024-01-01-binary.md:1: the file is binary",
        "posts/2024-01-01-notitle.md:2: title is missing",
        "posts/nodate.md:2: date is missing",
        "posts/2024-01-01-nofm.md:1: no front matter",
    ):
        assert expected in text, expected
    assert len(problems) == 10


def test_duplicate_id_and_duplicate_slug_reject_the_later_file(site, write_post):
    write_post("a/2024-02-01-same.md", "---\ntitle: First\n---\nx\n")
    write_post("b/2024-02-09-same.md", "---\ntitle: Clash\n---\nx\n")
    write_post("c.md", "---\ntitle: C\ndate: 2024-03-01\nid: my-id\n---\nx\n")
    write_post("d.md", "---\ntitle: D\ndate: 2024-03-02\nid: my-id\n---\nx\n")
    posts, problems = _load(site)
    assert sorted(posts) == ["a/2024-02-01-same.md", "c.md"]
    assert any("posts/b/2024-02-09-same.md:1: duplicate slug 'same'" in p for p in problems)
    assert any("posts/d.md:1: duplicate id 'my-id': already the id of posts/c.md, which keeps it" in p
               for p in problems)


def test_drafts_and_future_posts_are_loaded_but_not_published(site, write_post):
    write_post("2024-01-01-d.md", "---\ntitle: D\ndraft: true\n---\nx\n")
    write_post("2999-01-01-f.md", "---\ntitle: F\n---\nx\n")
    posts, problems = _load(site)
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert problems == []
    assert not posts["2024-01-01-d.md"].is_published(now)
    assert not posts["2999-01-01-f.md"].is_published(now)
    assert posts["2999-01-01-f.md"].is_published(datetime(2999, 1, 2, tzinfo=timezone.utc))


def test_syndicate_table(site, write_post):
    write_post("2024-01-01-s.md", "---\ntitle: S\nsyndicate: {mastodon: false, bluesky: 'Own text'}\n---\nx\n")
    posts, _ = _load(site)
    syn = posts["2024-01-01-s.md"].syndicate
    assert not syn.allows("mastodon") and syn.allows("bluesky")
    assert syn.text_for("bluesky") == "Own text" and syn.text_for("webhook") is None


def test_cache_reuses_unchanged_posts_and_reparses_edited_ones(site, write_post, tmp_path):
    from syndicator.build.cache import Cache

    config = load(site)
    for post in (write_post("2024-01-01-a.md", "---\ntitle: A\n---\nx\n"),
                 write_post("2024-01-02-b.md", "---\ntitle: B\n---\nx\n")):
        os.utime(post, (1_700_000_000, 1_700_000_000))  # older than a timestamp tick: trusted by size and mtime
    cache = Cache(tmp_path / "state" / "cache.sqlite", config.fingerprint, config.authors)
    first = load_posts(config, cache=cache)
    assert first.parsed == 2
    again = load_posts(config, cache=cache)
    assert again.parsed == 0 and [p.title for p in again.posts] == ["A", "B"]
    assert again.posts[0].body == "x\n"  # bodies come back from the file
    write_post("2024-01-02-b.md", "---\ntitle: B edited, longer\n---\nx\n")
    edited = load_posts(config, cache=cache)
    assert edited.parsed == 1 and edited.posts[1].title == "B edited, longer"
