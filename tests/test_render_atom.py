"""Atom 1.0 writer: RELAX NG (RFC 4287 Appendix B), feedparser, XPath checks per feeds.md."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from render_helpers import (
    ANA,
    AUTHOR_SPEC,
    FEEDS_URL,
    JAMES,
    NS,
    SITE_SPEC,
    SITE_URL,
    TAG_SPEC,
    assert_atom_valid,
    items,
    make_feeds,
    make_post,
    make_site,
    parsed,
    rich_post,
    sample_items,
    xml,
)

from syndicator.render import clear_caches, render
from syndicator.render.atom import feed_id
from syndicator.render.sanitize import clean

A = {"a": NS["atom"], **NS}


def atom(entries=None, *, spec=SITE_SPEC, owner=JAMES, site=None, feeds=None) -> bytes:
    return render("atom", site or make_site(), feeds or make_feeds(), spec,
                  sample_items() if entries is None else entries, owner=owner)


def entry_by_id(doc, ident: str):
    return doc.xpath("a:entry[a:id=$i]", namespaces=A, i=ident)[0]


def links(el, rel: str) -> list:
    return el.xpath("a:link[@rel=$r]", namespaces=A, r=rel)


@pytest.mark.parametrize("spec", [SITE_SPEC, TAG_SPEC, AUTHOR_SPEC], ids=lambda s: s.kind)
@pytest.mark.parametrize("summary_only", [False, True])
def test_validates_against_rfc4287_relax_ng(spec, summary_only):
    data = atom(spec=spec, feeds=make_feeds(summary_only=summary_only,
                                            hubs=("https://hub.example.com/",)))
    assert_atom_valid(data)
    parsed(data)


def test_empty_feed_validates_and_is_dated_at_the_epoch():
    data = atom([])
    assert_atom_valid(data)
    assert parsed(data).entries == []
    doc = xml(data)
    assert doc.findtext("a:updated", namespaces=A) == "1970-01-01T00:00:00+00:00"
    assert doc.find("a:author/a:name", A).text == "Jamie Quill"


def test_feedparser_sees_every_entry_with_authors_title_link_and_id():
    feed = parsed(atom())
    assert feed.version == "atom10"
    assert feed.feed.link == SITE_URL
    expected = sample_items()
    assert len(feed.entries) == len(expected)
    for entry, (post, _) in zip(feed.entries, expected):
        assert (entry.id, entry.title, entry.link) == (post.id, post.title, post.url)
        assert [a.name for a in entry.authors] == [a.name for a in post.authors] or \
            (not post.authors and entry.author == "Jamie Quill")


def test_every_entry_has_its_own_author_even_when_the_feed_has_one():
    doc = xml(atom(owner=None, entries=items(make_post(authors=()), rich_post())))
    for entry in doc.findall("a:entry", A):
        assert entry.findall("a:author/a:name", A)
    assert entry_by_id(doc, make_post(authors=()).id).findtext("a:author/a:name",
                                                                namespaces=A) == "Quill Writes"


def test_coauthors_are_both_authors_with_uri_and_email_when_public():
    post = make_post(authors=(JAMES, ANA))
    entry = entry_by_id(xml(atom(items(post))), post.id)
    people = [(a.findtext("a:name", namespaces=A), a.findtext("a:uri", namespaces=A),
               a.findtext("a:email", namespaces=A)) for a in entry.findall("a:author", A)]
    assert people == [("Jamie Quill", "https://quill.example.com/", None),
                      ("Ana Núñez", "https://ana.example.net/", "ana@example.net")]
    assert entry.find("a:author/attr:avatar", A).text == JAMES.avatar


def test_feed_links_self_alternate_hub_and_license():
    doc = xml(atom(feeds=make_feeds(hubs=("https://hub.example.com/",))))
    assert [l.get("href") for l in links(doc, "self")] == [f"{FEEDS_URL}atom.xml"]
    assert links(doc, "self")[0].get("type") == "application/atom+xml"
    alternate = links(doc, "alternate")
    assert [(l.get("href"), l.get("type")) for l in alternate] == [(SITE_URL, "text/html")]
    assert [l.get("href") for l in links(doc, "hub")] == ["https://hub.example.com/"]
    assert [l.get("href") for l in links(doc, "license")] == [make_site().license]
    assert doc.findtext("a:rights", namespaces=A) == make_site().copyright


def test_feed_id_is_permanent_across_domains_and_distinct_per_feed():
    ident = xml(atom()).findtext("a:id", namespaces=A)
    assert ident.startswith("urn:uuid:")
    moved = make_site(url="https://new-domain.example/")
    assert xml(atom(site=moved)).findtext("a:id", namespaces=A) == ident
    assert xml(atom(spec=TAG_SPEC)).findtext("a:id", namespaces=A) != ident


@given(st.text(max_size=40), st.sampled_from(["site", "tag", "category", "author"]), st.text(max_size=40))
def test_the_feed_id_is_uuid5_of_its_tag_uri(authority, kind, key):
    """Computed with the built-in sha1, the id is what uuid.uuid5 gives for the same name: ids already
    published stay the same."""
    name = clean(f"tag:{authority}:feed:{kind}:{key}")
    assert feed_id(authority, kind, key) == f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def test_entry_id_link_and_dates():
    post = rich_post()
    entry = entry_by_id(xml(atom(items(post))), post.id)
    alternates = links(entry, "alternate")
    assert [(l.get("href"), l.get("type")) for l in alternates] == [(post.url, "text/html")]
    assert entry.findtext("a:published", namespaces=A) == "2018-05-14T09:30:00+00:00"
    assert entry.findtext("a:updated", namespaces=A) == "2018-05-14T11:30:00+00:00"


def test_feed_updated_is_the_newest_entry_update():
    doc = xml(atom())
    assert doc.findtext("a:updated", namespaces=A) == "2018-05-20T11:30:00+00:00"


def test_rights_and_license_links_per_entry():
    rich, plain = rich_post(), make_post("plain", day=3)
    doc = xml(atom(items(rich, plain)))
    entry = entry_by_id(doc, rich.id)
    assert entry.findtext("a:rights", namespaces=A) == "CC BY-SA 4.0"
    assert [l.get("href") for l in links(entry, "license")] == [rich.license]
    other = entry_by_id(doc, plain.id)
    assert other.find("a:rights", A) is None  # inherits the feed's rights (RFC 4287 4.2.10)
    assert [l.get("href") for l in links(other, "license")] == [make_site().license]


def test_related_and_via_links_keep_rel_and_title():
    post = rich_post()
    entry = entry_by_id(xml(atom(items(post))), post.id)
    assert [(l.get("href"), l.get("title")) for l in links(entry, "related")] == [
        ("https://ferreira.example.net/", "Ana Ferreira"), ("https://okoye.example.org/", "Ruth Okoye")]
    assert [l.get("href") for l in links(entry, "via")] == [
        "https://news.example.com/item?id=1", "https://apprentice-notes.example.org/blog/"]
    assert len(links(entry, "alternate")) == 1  # feedgen's trap: no duplicate alternates


def test_photographer_is_a_contributor_and_media_elements_follow_summary():
    post = rich_post()
    entry = entry_by_id(xml(atom(items(post))), post.id)
    contributor = entry.find("a:contributor", A)
    assert contributor.findtext("a:name", namespaces=A) == "mirela.k"
    assert contributor.findtext("a:uri", namespaces=A) == "https://unsplash.example.com/@mirela.k"
    assert not entry.xpath("//media:group", namespaces=A)
    credit = entry.find("media:content/media:credit", A)
    assert (credit.text, credit.get("role")) == ("mirela.k", "photographer")
    assert entry.findtext("media:content/media:description", namespaces=A) == \
        "Photo by mirela.k on Unsplash"
    children = list(entry)
    summary_at = children.index(entry.find("a:summary", A))
    assert all(i > summary_at for i, el in enumerate(children)
               if el.tag.startswith(f"{{{NS['media']}}}"))


def test_summary_is_text_and_content_is_html_with_footer():
    post = rich_post()
    entry = entry_by_id(xml(atom(items(post))), post.id)
    summary = entry.find("a:summary", A)
    assert summary.get("type") == "text"
    assert summary.text.startswith("If you think you have no time to sharpen")
    content = entry.find("a:content", A)
    assert content.get("type") == "html"
    assert "<figure><img src=\"https://images.example.com/mirela.k-desk.jpg\"" in content.text
    assert "About the author" in content.text


def test_summary_only_drops_content():
    doc = xml(atom(feeds=make_feeds(summary_only=True)))
    assert not doc.xpath("//a:content", namespaces=A)
    assert all(e.find("a:summary", A).text for e in doc.findall("a:entry", A))


def test_categories_have_term_and_label():
    post = make_post(tags=("café ☕",), categories=("Essays",))
    entry = entry_by_id(xml(atom(items(post))), post.id)
    assert [(c.get("term"), c.get("label")) for c in entry.findall("a:category", A)] == [
        ("café ☕", "café ☕"), ("Essays", "Essays")]


def test_author_feed_has_author_with_avatar_and_bio_and_avatar_icon():
    doc = xml(atom(spec=AUTHOR_SPEC))
    author = doc.find("a:author", A)
    assert author.findtext("a:name", namespaces=A) == "Jamie Quill"
    assert author.findtext("a:uri", namespaces=A) == JAMES.url
    assert author.findtext("attr:avatar", namespaces=A) == JAMES.avatar
    assert author.findtext("attr:bio", namespaces=A) == JAMES.bio_text
    assert doc.findtext("a:icon", namespaces=A) == JAMES.avatar
    assert doc.findtext("a:title", namespaces=A) == "Quill Writes: Jamie Quill"


def test_languages_are_declared_with_xml_lang():
    post = make_post(lang="de-AT")
    doc = xml(atom(items(post)))
    assert doc.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert doc.find("a:entry", A).get("{http://www.w3.org/XML/1998/namespace}lang") == "de-AT"
    bad = xml(atom(items(make_post(lang="not a tag!"))))
    assert bad.find("a:entry", A).get("{http://www.w3.org/XML/1998/namespace}lang") is None


def test_naive_dates_take_the_site_time_zone():
    from datetime import datetime

    post = make_post(published=datetime(2018, 1, 2, 3, 4, 5), updated=datetime(2018, 1, 2, 3, 4, 5))
    doc = xml(atom(items(post)))
    assert doc.findtext("a:entry/a:published", namespaces=A) == "2018-01-02T03:04:05-05:00"
    assert_atom_valid(atom(items(post)))


def test_rendering_is_byte_deterministic():
    first = atom()
    clear_caches()
    assert atom() == first == atom()


def test_non_ascii_entry_id_is_mapped_to_a_uri_for_atom_only():
    post = make_post("café-noir")
    assert post.id == "tag:blog.example.org,2018-05-14:café-noir"
    doc = xml(atom(items(post)))
    assert doc.findtext("a:entry/a:id", namespaces=A) == \
        "tag:blog.example.org,2018-05-14:caf%C3%A9-noir"
    rss = render("rss", make_site(), make_feeds(), SITE_SPEC, items(post), owner=JAMES)
    assert xml(rss).findtext("channel/item/guid") == post.id
