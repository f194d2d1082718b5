"""JSON Feed 1.1 writer: the shared JSON Schema (with format checks) and the mapping in feeds.md."""

from __future__ import annotations

import json

import pytest
from render_helpers import (
    ANA,
    AUTHOR_SPEC,
    FEEDS_URL,
    JAMES,
    SITE_SPEC,
    SITE_URL,
    TAG_SPEC,
    assert_json_valid,
    items,
    make_feeds,
    make_post,
    make_site,
    rich_post,
    sample_items,
)

from syndicator.render import NAMESPACE, clear_caches, render


def jf(entries=None, *, spec=SITE_SPEC, owner=JAMES, site=None, feeds=None) -> bytes:
    return render("json", site or make_site(), feeds or make_feeds(), spec,
                  sample_items() if entries is None else entries, owner=owner)


def item_by_id(doc: dict, ident: str) -> dict:
    return next(i for i in doc["items"] if i["id"] == ident)


@pytest.mark.parametrize("spec", [SITE_SPEC, TAG_SPEC, AUTHOR_SPEC], ids=lambda s: s.kind)
@pytest.mark.parametrize("summary_only", [False, True])
def test_validates_against_json_feed_schema(spec, summary_only):
    data = jf(spec=spec, feeds=make_feeds(summary_only=summary_only,
                                          hubs=("https://hub.example.com/",)))
    assert_json_valid(data)


def test_empty_feed_is_valid():
    doc = assert_json_valid(jf([]))
    assert doc["items"] == []


def test_top_level_fields():
    doc = json.loads(jf(feeds=make_feeds(hubs=("https://hub.example.com/",))))
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["title"] == "Quill Writes"
    assert doc["home_page_url"] == SITE_URL
    assert doc["feed_url"] == f"{FEEDS_URL}feed.json"
    assert doc["description"] == "Essays on work and learning."
    assert doc["language"] == "en"
    assert doc["icon"] == doc["favicon"] == make_site().icon
    assert doc["authors"] == [{"name": "Jamie Quill", "url": JAMES.url, "avatar": JAMES.avatar}]
    assert doc["author"] == doc["authors"][0]  # JSON Feed 1.0 readers read only this one
    assert doc["hubs"] == [{"type": "WebSub", "url": "https://hub.example.com/"}]
    assert doc["_attribution"]["about"] == NAMESPACE
    assert doc["_attribution"]["authors"][0]["bio"] == JAMES.bio_text


def test_every_item_has_id_url_title_and_authors():
    doc = json.loads(jf())
    expected = sample_items()
    assert [i["id"] for i in doc["items"]] == [p.id for p, _ in expected]
    for item, (post, _) in zip(doc["items"], expected):
        assert item["url"] == post.url
        assert item["title"] == post.title
        names = [a["name"] for a in item["authors"]]
        assert names == ([a.name for a in post.authors] or ["Jamie Quill"])
        assert item["author"] == item["authors"][0]


def test_coauthored_item_lists_both_authors_everywhere():
    post = make_post(authors=(JAMES, ANA))
    item = item_by_id(json.loads(jf(items(post))), post.id)
    assert item["authors"] == [
        {"name": "Jamie Quill", "url": JAMES.url, "avatar": JAMES.avatar},
        {"name": "Ana Núñez", "url": "https://ana.example.net/"}]
    assert [a["name"] for a in item["_attribution"]["authors"]] == ["Jamie Quill", "Ana Núñez"]
    assert "Ana edits things." in item["content_html"]


def test_item_content_summary_dates_tags_image():
    post = rich_post()
    item = item_by_id(json.loads(jf(items(post))), post.id)
    assert item["summary"].startswith("If you think you have no time")
    assert "<footer class=\"attribution\">" in item["content_html"]
    assert item["image"] == post.image.url
    assert item["date_published"] == "2018-05-14T09:30:00+00:00"
    assert item["date_modified"] == "2018-05-14T11:30:00+00:00"
    assert item["tags"] == ["sharpening", "tools", "Essays"]


def test_attribution_object_matches_the_xml_extension():
    post = rich_post()
    attribution = item_by_id(json.loads(jf(items(post))), post.id)["_attribution"]
    assert attribution["about"] == NAMESPACE
    assert attribution["credit"] == {
        "name": "mirela.k", "url": "https://unsplash.example.com/@mirela.k", "source": "Unsplash",
        "source_url": "https://unsplash.example.com/", "license": "https://unsplash.example.com/license"}
    assert attribution["influences"] == [
        {"name": "Ana Ferreira", "url": "https://ferreira.example.net/", "note": "on edges"},
        {"name": "Otto Brenner"}, {"name": "Ruth Okoye", "url": "https://okoye.example.org/"}]
    assert attribution["sources"] == [{"name": "Apprentice Notes",
                                       "url": "https://apprentice-notes.example.org/blog/"}]
    assert attribution["via"] == {"name": "Hacker News",
                                  "url": "https://news.example.com/item?id=1"}
    assert attribution["license"] == "https://creativecommons.org/licenses/by-sa/4.0/"


def test_summary_only_uses_content_text():
    doc = assert_json_valid(jf(feeds=make_feeds(summary_only=True)))
    for item in doc["items"]:
        assert "content_html" not in item
        assert item["content_text"] == item["summary"]


def test_canonical_url_is_the_url_and_the_id_stays():
    post = make_post(canonical_url="https://medium.example.com/@jamie/sharpening")
    item = item_by_id(assert_json_valid(jf(items(post))), post.id)
    assert item["url"] == "https://medium.example.com/@jamie/sharpening"
    assert "external_url" not in item
    assert item["id"] == post.id


def test_author_feed_carries_name_link_avatar_and_bio():
    doc = assert_json_valid(jf(spec=AUTHOR_SPEC))
    assert doc["authors"] == [{"name": "Jamie Quill", "url": JAMES.url, "avatar": JAMES.avatar}]
    assert doc["icon"] == JAMES.avatar
    assert doc["_attribution"]["authors"][0]["bio"] == JAMES.bio_text
    assert doc["feed_url"] == f"{FEEDS_URL}authors/james/feed.json"


def test_utf8_without_escapes_fixed_key_order_and_trailing_newline():
    data = jf(feeds=make_feeds(hubs=("https://hub.example.com/",)))
    assert data.endswith(b"]}\n")
    assert "café ☕".encode("utf-8") in data and b"\\u" not in data
    keys = list(json.loads(data))
    assert keys == ["version", "title", "home_page_url", "feed_url", "description", "language",
                    "icon", "favicon", "authors", "author", "hubs", "_attribution", "items"]
    assert data.count(b"\n") == len(sample_items()) + 2  # head line, one line per item, "]}"


def test_non_ascii_feed_url_is_percent_encoded():
    doc = assert_json_valid(jf(spec=TAG_SPEC))
    assert doc["feed_url"] == f"{FEEDS_URL}tags/caf%C3%A9-x/feed.json"


def test_rendering_is_byte_deterministic():
    first = jf()
    clear_caches()
    assert jf() == first == jf()


def test_the_schema_check_really_checks_uri_and_date_formats():
    doc = json.loads(jf())
    doc["items"][0]["url"] = "https://blog.example.org/café/"
    with pytest.raises(AssertionError, match="uri"):
        assert_json_valid(json.dumps(doc).encode())
    doc = json.loads(jf())
    doc["items"][0]["date_published"] = "Mon, 14 May 2018 09:30:00 +0000"
    with pytest.raises(AssertionError, match="date-time"):
        assert_json_valid(json.dumps(doc).encode())
