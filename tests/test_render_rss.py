"""RSS 2.0 writer: feedparser's view plus XPath checks of each feeds.md mapping rule; OPML."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime as email_format_datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from render_helpers import (
    ANA,
    AUTHOR_SPEC,
    FEEDS_URL,
    JAMES,
    NOBIO,
    NS,
    SITE_SPEC,
    SITE_URL,
    TAG_SPEC,
    items,
    make_feeds,
    make_post,
    make_site,
    parsed,
    rich_post,
    sample_items,
    xml,
)

from syndicator.model import Image
from syndicator.render import clear_caches, feed_url, render, render_opml
from syndicator.render.rss import format_datetime


def rss(entries=None, *, spec=SITE_SPEC, owner=JAMES, site=None, feeds=None) -> bytes:
    return render("rss", site or make_site(), feeds or make_feeds(), spec,
                  sample_items() if entries is None else entries, owner=owner)


def item_by_guid(doc, guid: str):
    return doc.xpath("/rss/channel/item[guid=$g]", g=guid)[0]


def test_feedparser_sees_every_item_with_authors_title_link_and_id():
    data = rss()
    feed = parsed(data)
    assert feed.version == "rss20"
    assert feed.feed.title == "Quill Writes"
    assert feed.feed.link == SITE_URL
    expected = sample_items()
    assert len(feed.entries) == len(expected)
    for entry, (post, _) in zip(feed.entries, expected):
        assert entry.id == post.id
        assert entry.title == post.title
        assert entry.link == post.url
        wanted = {a.name for a in post.authors} or {JAMES.name}  # no authors: the owner
        assert all(name in entry.author for name in wanted)  # the byline names every author
        names = {a.get("name") for a in entry.authors + entry.get("contributors", [])}
        assert wanted <= names


def test_channel_link_is_home_page_and_self_link_comes_first():
    doc = xml(rss(feeds=make_feeds(hubs=("https://hub.example.com/",))))
    channel = doc.find("channel")
    assert channel.findtext("link") == SITE_URL
    links = channel.findall("atom:link", NS)
    assert links[0].get("rel") == "self"
    assert links[0].get("href") == f"{FEEDS_URL}rss.xml"
    assert links[0].get("type") == "application/rss+xml"
    assert [l.get("href") for l in links if l.get("rel") == "hub"] == ["https://hub.example.com/"]


def test_no_hub_link_without_hubs():
    assert not xml(rss()).xpath("//atom:link[@rel='hub']", namespaces=NS)


def test_guid_is_the_stable_id_not_a_permalink():
    doc = xml(rss())
    for post, _ in sample_items():
        item = item_by_guid(doc, post.id)
        assert item.find("guid").get("isPermaLink") == "false"
        assert item.findtext("link") == post.url


def test_canonical_url_is_the_link_and_the_id_stays():
    post = make_post(canonical_url="https://medium.com/@james/sharpening-daily-123")
    item = item_by_guid(xml(rss(items(post))), post.id)
    assert item.findtext("link") == "https://medium.com/@james/sharpening-daily-123"


def test_author_without_email_is_dc_creator_only():
    post = make_post(authors=(JAMES,))
    item = item_by_guid(xml(rss(items(post))), post.id)
    assert item.find("author") is None
    assert [c.text for c in item.findall("dc:creator", NS)] == ["Jamie Quill"]


def test_single_author_with_email_is_rss_author_and_no_dc_creator():
    post = make_post(authors=(ANA,))
    item = item_by_guid(xml(rss(items(post))), post.id)
    assert item.findtext("author") == "ana@example.net (Ana Núñez)"
    assert item.findall("dc:creator", NS) == []


def test_coauthors_share_one_dc_creator_byline_and_are_atom_author_then_contributor():
    post = make_post(authors=(JAMES, ANA))
    item = item_by_guid(xml(rss(items(post))), post.id)
    assert item.find("author") is None
    # One byline: newsboat and others show only the last dc:creator they read.
    assert [c.text for c in item.findall("dc:creator", NS)] == ["Jamie Quill and Ana Núñez"]
    # The W3C validator allows one atom:author per RSS item (DuplicateElement is an error).
    people = [(a.tag.split("}")[1], a.findtext("atom:name", namespaces=NS),
               a.findtext("atom:uri", namespaces=NS))
              for a in item if a.tag in (f"{{{NS['atom']}}}author", f"{{{NS['atom']}}}contributor")]
    assert people == [("author", "Jamie Quill", "https://quill.example.com/"),
                      ("contributor", "Ana Núñez", "https://ana.example.net/")]
    entry = parsed(rss(items(post))).entries[0]
    assert entry.author == "Jamie Quill and Ana Núñez"
    assert {a.name for a in entry.authors + entry.contributors} >= {"Jamie Quill", "Ana Núñez"}


def test_atom_author_carries_avatar_and_bio_extension():
    post = make_post(authors=(JAMES,))
    author = item_by_guid(xml(rss(items(post))), post.id).find("atom:author", NS)
    assert author.findtext("attr:avatar", namespaces=NS) == JAMES.avatar
    assert author.findtext("attr:bio", namespaces=NS).startswith("Jamie Quill restores")


def test_media_content_credit_description_thumbnail_without_group():
    post = rich_post()
    item = item_by_guid(xml(rss(items(post))), post.id)
    assert not item.xpath("//media:group", namespaces=NS)
    content = item.find("media:content", NS)
    assert content.get("url") == post.image.url
    assert content.get("medium") == "image" and content.get("type") == "image/jpeg"
    credit = content.find("media:credit", NS)
    assert credit.text == "mirela.k" and credit.get("role") == "photographer"
    description = content.find("media:description", NS)
    assert description.text == "Photo by mirela.k on Unsplash"
    assert description.get("type") == "plain"
    assert item.find("media:thumbnail", NS).get("url") == post.image.url


def test_every_media_element_comes_after_description():
    post = rich_post()
    item = item_by_guid(xml(rss(items(post))), post.id)
    children = list(item)
    described = children.index(item.find("description"))
    media_at = [i for i, el in enumerate(children) if el.tag.startswith(f"{{{NS['media']}}}")]
    assert media_at and min(media_at) > described
    assert parsed(rss(items(post))).entries[0].summary.startswith("If you think")


def test_license_on_channel_and_on_items_only_when_different():
    site = make_site()
    data = rss(items(rich_post(), make_post("plain", day=3)))
    doc = xml(data)
    assert doc.findtext("channel/cc:license", namespaces=NS) == site.license
    assert doc.findtext("channel/copyright") == site.copyright
    rich = item_by_guid(doc, rich_post().id)
    assert rich.findtext("cc:license", namespaces=NS) == rich_post().license
    plain = item_by_guid(doc, make_post("plain", day=3).id)
    assert plain.find("cc:license", NS) is None


def test_related_links_for_influences_with_urls_and_via_links():
    post = rich_post()
    item = item_by_guid(xml(rss(items(post))), post.id)
    related = [(l.get("href"), l.get("title")) for l in item.xpath("atom:link[@rel='related']",
                                                                    namespaces=NS)]
    assert related == [("https://ferreira.example.net/", "Ana Ferreira"),
                       ("https://okoye.example.org/", "Ruth Okoye")]
    via = [l.get("href") for l in item.xpath("atom:link[@rel='via']", namespaces=NS)]
    assert via == ["https://news.example.com/item?id=1", "https://apprentice-notes.example.org/blog/"]
    notes = {i.get("name"): i.text for i in item.findall("attr:influence", NS)}
    assert notes == {"Ana Ferreira": "on edges", "Otto Brenner": None, "Ruth Okoye": None}


def test_categories_are_tags_then_categories():
    post = make_post(tags=("sharpening", "café ☕"), categories=("Essays",))
    item = item_by_guid(xml(rss(items(post))), post.id)
    assert [c.text for c in item.findall("category")] == ["sharpening", "café ☕", "Essays"]


def test_summary_in_description_and_full_content_with_footer():
    post = rich_post()
    item = item_by_guid(xml(rss(items(post))), post.id)
    assert item.findtext("description") == ("If you think you have no time to sharpen, "
                                            "you are probably sharpening too rarely.")
    html = item.findtext("content:encoded", namespaces=NS)
    assert "A keen edge comes from small" in html
    assert "<figcaption>Photo by <a href=\"https://unsplash.example.com/@mirela.k\">mirela.k</a> on" in html
    assert "Intellectual influences: <a href=\"https://ferreira.example.net/\">Ana Ferreira</a>" in html
    assert "<h3>About the author</h3>" in html
    assert 'href="https://blog.example.org/about/"' in html  # the bio, absolute
    assert 'href="https://blog.example.org/archive/"' in html  # the body, absolute
    assert 'href="/' not in html and 'src="/' not in html


def test_plain_text_summary_is_escaped_as_html_in_description():
    post = make_post(summary="Use <b> & <i> wisely")
    item = item_by_guid(xml(rss(items(post))), post.id)
    assert item.findtext("description") == "Use &lt;b&gt; &amp; &lt;i&gt; wisely"


def test_summary_only_drops_full_content():
    data = rss(feeds=make_feeds(summary_only=True))
    doc = xml(data)
    assert not doc.xpath("//content:encoded", namespaces=NS)
    assert all(i.findtext("description") for i in doc.iter("item"))
    assert NS["content"] not in doc.nsmap.values()
    parsed(data)


def test_last_build_date_is_newest_entry_update_never_now():
    newest = max(p.updated for p, _ in sample_items())
    doc = xml(rss())
    assert doc.findtext("channel/lastBuildDate") == "Sun, 20 May 2018 11:30:00 +0000"
    assert newest == datetime(2018, 5, 20, 11, 30, tzinfo=timezone.utc)
    assert doc.findtext("channel/item/pubDate") == "Sun, 20 May 2018 09:30:00 +0000"


def test_empty_feed_is_valid_and_dated_at_the_epoch():
    data = rss([])
    feed = parsed(data)
    assert feed.entries == []
    assert xml(data).findtext("channel/lastBuildDate") == "Thu, 01 Jan 1970 00:00:00 +0000"


def test_only_used_namespaces_are_declared():
    declared = set(xml(rss(items(make_post()))).nsmap.values())
    assert NS["media"] not in declared and NS["cc"] in declared and NS["dc"] in declared
    assert NS["media"] in xml(rss(items(rich_post()))).nsmap.values()


def test_managing_editor_only_with_public_email_and_then_no_channel_dc_creator():
    channel = xml(rss(owner=JAMES)).find("channel")
    assert channel.find("managingEditor") is None
    assert channel.findtext("dc:creator", namespaces=NS) == "Jamie Quill"
    channel = xml(rss(owner=ANA)).find("channel")
    assert channel.findtext("managingEditor") == "ana@example.net (Ana Núñez)"
    assert channel.find("dc:creator", NS) is None  # validator: DuplicateSemantics


def test_posts_without_authors_fall_back_to_owner_then_site():
    post = make_post(authors=())
    doc = xml(rss(items(post), owner=None))
    assert doc.findtext("channel/item/dc:creator", namespaces=NS) == "Quill Writes"
    feed = parsed(rss(items(post), owner=NOBIO))
    assert feed.entries[0].author == "Kim"


def test_author_feed_carries_the_author_at_channel_level():
    data = rss(spec=AUTHOR_SPEC)
    channel = xml(data).find("channel")
    assert channel.findtext("image/url") == JAMES.avatar
    author = channel.find("atom:author", NS)
    assert author.findtext("atom:name", namespaces=NS) == "Jamie Quill"
    assert author.findtext("atom:uri", namespaces=NS) == JAMES.url
    assert author.findtext("attr:avatar", namespaces=NS) == JAMES.avatar
    assert author.findtext("attr:bio", namespaces=NS) == JAMES.bio_text
    assert channel.find("atom:link[@rel='self']", NS).get("href") == \
        f"{FEEDS_URL}authors/james/rss.xml"
    parsed(data)


def test_site_feed_uses_site_logo_image():
    assert xml(rss()).findtext("channel/image/url") == make_site().logo
    assert xml(rss(site=make_site(logo=None))).findtext("channel/image/url") == make_site().icon
    assert xml(rss(site=make_site(logo=None, icon=None))).find("channel/image") is None


def test_tag_feed_url_is_percent_encoded():
    href = xml(rss(spec=TAG_SPEC)).find("channel/atom:link[@rel='self']", NS).get("href")
    assert href == f"{FEEDS_URL}tags/caf%C3%A9-x/rss.xml" == feed_url(make_feeds(), TAG_SPEC, "rss")


def test_non_ascii_post_urls_become_uris():
    post = make_post("café", url=f"{SITE_URL}2018/05/café/",
                     image=Image(url="/img/naïve.jpg", alt="x"))
    item = xml(rss(items(post))).find("channel/item")
    assert item.findtext("link") == f"{SITE_URL}2018/05/caf%C3%A9/"
    assert item.find("media:content", NS).get("url") == f"{SITE_URL}img/na%C3%AFve.jpg"


def test_control_characters_never_reach_the_feed():
    post = make_post(title="Bell\x07 and \x00null\x1f", tags=("t\x0bag",),
                     summary="sum\x08mary")
    data = rss(items(post))
    item = xml(data).find("channel/item")
    assert item.findtext("title") == "Bell and null"
    assert item.findtext("category") == "tag"
    assert item.findtext("description") == "summary"
    parsed(data)


def test_rendering_is_byte_deterministic():
    first = rss()
    clear_caches()
    assert rss() == first
    assert rss() == first


def test_opml_lists_every_feed_in_every_format():
    feeds = make_feeds()
    specs = [SITE_SPEC, TAG_SPEC, AUTHOR_SPEC]
    data = render_opml(make_site(), feeds, specs)
    doc = xml(data)
    assert doc.tag == "opml" and doc.get("version") == "2.0"
    feeds_listed = doc.xpath("//outline[@xmlUrl]")
    assert len(feeds_listed) == 9
    urls = {o.get("xmlUrl") for o in feeds_listed}
    assert urls == {feed_url(feeds, s, f) for s in specs for f in ("rss", "atom", "json")}
    for outline in feeds_listed:
        assert outline.get("type") == "rss" and outline.get("htmlUrl") == SITE_URL
        assert outline.get("title") and outline.get("text")
    assert render_opml(make_site(), feeds, specs) == data


def test_opml_lists_only_configured_formats():
    data = render_opml(make_site(), make_feeds(formats=("atom",)), [SITE_SPEC])
    assert [o.get("xmlUrl") for o in xml(data).xpath("//outline[@xmlUrl]")] == \
        [f"{FEEDS_URL}atom.xml"]


_ZONES = st.one_of(st.none(), st.just(timezone.utc), st.builds(ZoneInfo, st.sampled_from(
    ["Europe/Berlin", "America/St_Johns", "Asia/Kathmandu", "Pacific/Chatham", "Australia/Lord_Howe"])),
    st.builds(lambda m: timezone(timedelta(minutes=m)), st.integers(-1439, 1439)))


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)), _ZONES)
def test_rss_dates_are_what_email_utils_writes(moment, zone):
    """pubDate and lastBuildDate: the RFC 822 form email.utils.format_datetime gives, for any zone or none."""
    moment = moment.replace(tzinfo=zone)
    assert format_datetime(moment) == email_format_datetime(moment)
