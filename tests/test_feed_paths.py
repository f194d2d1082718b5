"""[feeds.paths]: every output file's path is a setting, checked when the config loads, and the
build, the renderer, the server and WebSub all follow it; renaming between builds leaves no orphan."""

from __future__ import annotations

import itertools
import json
import re
from datetime import datetime, timezone
from http.client import HTTPConnection

import feedparser
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from syndicator.build import build
from syndicator.config import load
from syndicator.errors import ConfigError
from syndicator.feed_paths import FeedPaths, overlap
from syndicator.server import serve_in_thread
from tests.conftest import MINIMAL_CONFIG

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
HUGO_LIKE = """
[feeds.paths]
rss = "index.xml"
atom = "atom/all.xml"
category_atom = "feed/{slug}.xml"
opml = "all-feeds.opml"
page = "feeds.html"
"""


def configure(site, text: str):
    site.write_text(MINIMAL_CONFIG + "\n[feeds]\n" + text, encoding="utf-8")
    return load(site)


def error(site, text: str) -> str:
    site.write_text(MINIMAL_CONFIG + "\n[feeds]\n" + text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load(site)
    return str(info.value)


def files(out) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")}


@pytest.mark.parametrize("text, message", [
    ('[feeds.paths]\nrss = "feed.xml"\natom = "feed.xml"\n',
     "config.toml: [feeds.paths] rss and atom are both 'feed.xml'"),
    ('[feeds.paths]\nopml = "index.html"\n', "[feeds.paths] opml and page are both 'index.html'"),
    ('[feeds.paths]\nrss = "index.html"\n', "[feeds.paths] rss and page are both 'index.html'"),
    ('[feeds.paths]\nrss = "../index.xml"\n', "[feeds.paths] rss = '../index.xml': would leave the output folder"),
    ('[feeds.paths]\nrss = "/index.xml"\n', "[feeds.paths] rss = '/index.xml': give a path under the output folder"),
    ('[feeds.paths]\natom = "a//b.xml"\n', "would leave the output folder or be hidden"),
    ('[feeds.paths]\njson = ".feed.json"\n', "[feeds.paths] json = '.feed.json': would leave the output folder or be hidden"),
    ('[feeds.paths]\nrss = "a\\\\b.xml"\n', "no backslashes"),
    ('[feeds.paths]\ntag_rss = "tags/index.xml"\n', "[feeds.paths] tag_rss = 'tags/index.xml': needs {slug} once"),
    ('[feeds.paths]\ntag_rss = "{slug}/../../x.xml"\n', "would leave the output folder"),
    ('[feeds.paths]\ntag_rss = "t/{name}.xml"\n', "the one placeholder is {slug}"),
    ('[feeds.paths]\ncategory_atom = "feeds/{slug}.atom.xml"\nauthor_atom = "feeds/{slug}.atom.xml"\n',
     "category_atom = 'feeds/{slug}.atom.xml' and author_atom = 'feeds/{slug}.atom.xml' can put two feeds at one path"),
    ('[feeds.paths]\ntag_rss = "t/{slug}.xml"\ntag_atom = "t/{slug}.xml"\n', "tag_rss = 't/{slug}.xml' and tag_atom"),
    ('[feeds.paths]\nrss_tag = "t/{slug}.xml"\n', "[feeds.paths] unknown key 'rss_tag'"),
    ('[feeds.paths]\nrss = 3\n', "[feeds.paths] rss must be a string"),
    ('[feeds.paths]\npage = "feeds.htm"\n', "[feeds.paths] page must end with .html"),
    ('paths = "index.xml"\n', "[feeds] paths must be a table"),
])
def test_bad_paths_are_a_clear_error_naming_the_key(site, text, message):
    assert message in error(site, text)


def test_a_clash_only_counts_between_the_formats_and_feeds_the_config_writes(site):
    config = configure(site, 'formats = ["rss"]\nper_tag = false\n[feeds.paths]\natom = "rss.xml"\n'
                             'rss = "tags/x/rss.xml"\n')
    assert config.feeds.paths.site("rss") == "tags/x/rss.xml"


def test_a_name_whose_feed_would_land_on_a_site_file_gets_another_path(site, write_post):
    """Pelican's layout: category feeds beside the site feed in feeds/; a category "all" would
    overwrite feeds/all.atom.xml, so its feed gets a short hash after its name."""
    write_post("2024-01-01-a.md", "---\ntitle: A\ncategories: [All]\n---\nHello.\n")
    write_post("2024-01-02-b.md", "---\ntitle: B\ncategories: [News]\n---\nWorld.\n")
    config = configure(site, '[feeds.paths]\natom = "feeds/all.atom.xml"\ncategory_atom = "feeds/{slug}.atom.xml"\n')
    assert build(config, now=NOW).problems == []
    out = config.feeds.output
    site_feed = feedparser.parse((out / "feeds/all.atom.xml").read_bytes())
    assert site_feed.feed.title == "Test Site" and [e.title for e in site_feed.entries] == ["B", "A"]
    assert [e.title for e in feedparser.parse((out / "feeds/news.atom.xml").read_bytes()).entries] == ["B"]
    (escaped,) = [p for p in (out / "feeds").glob("all-*.atom.xml")]
    assert [e.title for e in feedparser.parse(escaped.read_bytes()).entries] == ["A"]
    assert f'xmlUrl="https://test.example/feeds/feeds/{escaped.name}"' in (out / "feeds.opml").read_text()


@given(st.sampled_from(["tag", "category", "author"]), st.sampled_from(["rss", "atom", "json"]),
       st.text(alphabet="al-", min_size=1, max_size=4))
def test_no_name_puts_a_feed_on_a_site_file(kind, fmt, slug):
    paths = FeedPaths(files=(("rss", "all.rss.xml"), ("atom", "all.atom.xml"), ("json", "l.json"),
                             ("opml", "a.opml"), ("page", "al.html")),
                      patterns=((kind, fmt, "{slug}." + {"rss": "rss.xml", "atom": "atom.xml", "json": "json"}[fmt]),))
    site_files = {p for _, p in paths.files}
    assert paths.of(kind, slug, fmt) not in site_files
    assert paths.format_of(paths.of(kind, slug, fmt)) == fmt


def test_defaults_are_todays_names():
    paths = FeedPaths()
    assert [paths.site(w) for w in ("rss", "atom", "json", "opml", "page")] == \
        ["rss.xml", "atom.xml", "feed.json", "feeds.opml", "index.html"]
    assert paths.of("tag", "café", "json") == "tags/café/feed.json"
    assert paths.of("author", "ann", "atom") == "authors/ann/atom.xml"


def test_build_writes_every_file_where_the_settings_say_and_links_to_it(site, write_post):
    write_post("2024-01-01-a.md", "---\ntitle: A\ntags: [Café]\ncategories: [News]\n---\nHello.\n")
    config = configure(site, HUGO_LIKE)
    report = build(config, now=NOW)
    assert report.problems == []
    out = config.feeds.output
    assert {"index.xml", "atom/all.xml", "feed.json", "all-feeds.opml", "feeds.html", "feed/news.xml",
            "tags/café/index.xml", "categories/news/index.xml"} <= files(out)
    assert not {"rss.xml", "atom.xml", "feeds.opml", "index.html"} & files(out)
    rss = feedparser.parse((out / "index.xml").read_bytes())
    assert rss.version == "rss20" and rss.feed.links[-1].href == "https://test.example/feeds/index.xml"
    category = feedparser.parse((out / "feed/news.xml").read_bytes())
    assert category.version == "atom10"
    assert "https://test.example/feeds/feed/news.xml" in [link.href for link in category.feed.links]
    tag = json.loads((out / "tags/café/feed.json").read_text())
    assert tag["feed_url"] == "https://test.example/feeds/tags/caf%C3%A9/feed.json"
    opml = (out / "all-feeds.opml").read_text()
    assert 'xmlUrl="https://test.example/feeds/feed/news.xml"' in opml and "index.xml" in opml
    page = (out / "feeds.html").read_text()
    assert '<link rel="alternate" type="application/rss+xml" title="Test Site (RSS)" href="index.xml">' in page
    assert 'href="feed/news.xml"' in page and 'href="all-feeds.opml"' in page


def test_renaming_between_builds_removes_the_old_files_and_leaves_no_orphan(site, write_post):
    write_post("2024-01-01-a.md", "---\ntitle: A\ntags: [x]\ncategories: [News]\n---\nHello.\n")
    first = configure(site, "")
    build(first, now=NOW)
    before = files(first.feeds.output)
    assert {"rss.xml", "tags/x/atom.xml", "index.html"} <= before
    (first.feeds.output / "mine.txt").write_text("the user's own file")  # not ours: left alone
    second = configure(site, HUGO_LIKE)
    report = build(second, now=NOW)
    after = files(second.feeds.output)
    fresh = configure(site.parent / "fresh.toml", 'output = "fresh"\n' + HUGO_LIKE)  # the same settings, from nothing
    assert build(fresh, now=NOW).problems == []
    assert after == files(fresh.feeds.output) | {"mine.txt"}
    removed = {p.relative_to(second.feeds.output).as_posix() for p in report.removed}
    assert removed == before - after and {"rss.xml", "atom.xml", "index.html", "feeds.opml"} <= removed
    assert report.problems == []


def test_the_server_sends_each_feed_with_its_formats_type_and_health_reads_the_json_feed(site, write_post):
    write_post("2024-01-01-a.md", "---\ntitle: A\ncategories: [News]\n---\nHello.\n")
    config = configure(site, HUGO_LIKE + 'json = "feed.js0n"\n')
    build(config, now=NOW)
    server = serve_in_thread(config, host="127.0.0.1", port=0)
    try:
        conn = HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
        seen = {}
        for path in ("/index.xml", "/atom/all.xml", "/feed/news.xml", "/feed.js0n", "/all-feeds.opml", "/",
                     "/healthz"):
            conn.request("GET", path)
            response = conn.getresponse()
            seen[path] = (response.status, response.getheader("Content-Type"), response.read())
    finally:
        server.shutdown()
        server.server_close()
    assert {p: s[:2] for p, s in seen.items()} == {
        "/index.xml": (200, "application/rss+xml; charset=utf-8"),
        "/atom/all.xml": (200, "application/atom+xml; charset=utf-8"),
        "/feed/news.xml": (200, "application/atom+xml; charset=utf-8"),
        "/feed.js0n": (200, "application/feed+json; charset=utf-8"),
        "/all-feeds.opml": (200, "text/x-opml; charset=utf-8"),
        "/": (200, "text/html; charset=utf-8"),
        "/healthz": (200, "application/json; charset=utf-8")}
    assert seen["/"][2] == (config.feeds.output / "feeds.html").read_bytes()
    health = json.loads(seen["/healthz"][2])
    assert health["posts_in_feed"] == 1 and health["last_build"]


def test_websub_announces_the_feeds_at_their_configured_paths(site, write_post):
    from syndicator.crosspost.websub_outbox import _feeds

    write_post("2024-01-01-a.md", "---\ntitle: A\ncategories: [News]\n---\nHello.\n")
    config = configure(site, HUGO_LIKE + 'json = "feed.js0n"\n')
    build(config, now=NOW)
    announced = set(_feeds(config))
    assert {"index.xml", "atom/all.xml", "feed/news.xml", "feed.js0n"} <= announced
    assert not {"all-feeds.opml", "feeds.html"} & announced


# ------------------------------------------------------------- the overlap rule, against brute force

PART = st.text(alphabet="a/", max_size=3)
SLUGS = ["".join(t) for n in range(1, 8) for t in itertools.product("ab", repeat=n)]


@given(PART, PART, PART, PART)
@example("", "/q", "a/", "")  # {slug}/q and a/{slug} meet at a/q: slugs "a" and "q"
def test_overlap_is_true_exactly_when_two_slugs_give_one_path(h1, t1, h2, t2):
    one, two = f"{h1}{{slug}}{t1}", f"{h2}{{slug}}{t2}"
    # Every slug the rule could need is at most 7 letters of the parts' alphabet plus one other.
    paths = lambda p: {p.replace("{slug}", s) for s in SLUGS + [s.replace("b", "q") for s in SLUGS]}  # noqa: E731
    assert overlap(one, two) == bool(paths(one) & paths(two))


@given(st.sampled_from(["rss", "atom", "json"]), st.text(alphabet="abc-", min_size=1, max_size=6))
def test_format_of_finds_what_of_wrote(fmt, slug):
    paths = FeedPaths(patterns=(("category", "atom", "feed/{slug}.xml"),))
    for kind in ("site", "tag", "author") + (("category",) if fmt == "atom" else ()):
        assert paths.format_of(paths.of(kind, slug, fmt)) == fmt
    assert paths.format_of(f"tags/{slug}/index.xml") is None and paths.format_of("feeds.opml") == "opml"


def test_the_daemon_takes_new_paths_on_reload_for_its_builds_and_its_server(tmp_path):
    from tests.daemon_helpers import DaemonProcess, wait_for, write_minimal_site

    config = write_minimal_site(tmp_path)
    out = tmp_path / "feeds"

    def get(port: int, path: str) -> tuple[int, str | None]:
        conn = HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Content-Type")

    with DaemonProcess(config, "--serve", "--host", "127.0.0.1", "--port", "0") as daemon:
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", daemon.wait_log("serving")).group(1))
        wait_for(lambda: (out / "rss.xml").is_file())
        assert get(port, "/rss.xml") == (200, "application/rss+xml; charset=utf-8")
        config.write_text(config.read_text() + '\n[feeds.paths]\nrss = "index.xml"\njson = "feed.js0n"\n'
                                               'page = "feeds.html"\n')
        wait_for(lambda: (out / "feed.js0n").is_file() and not (out / "rss.xml").exists())
        assert get(port, "/index.xml") == (200, "application/rss+xml; charset=utf-8")
        assert get(port, "/feed.js0n") == (200, "application/feed+json; charset=utf-8")
        assert get(port, "/rss.xml")[0] == 404 and not (out / "index.html").exists()
        assert daemon.stop() == 0
