"""Real blogs adopted as a new user would: `syndicator init --from .`, then `syndicator build`,
with no hand edits; the feeds compared with the engine's own feed for the same posts (hugo and
jekyll run when installed). Fixtures and their licences: tests/fixtures/blogs/README.md."""

from __future__ import annotations

import calendar
import http.client
import json
import re
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import pytest
from lxml import html as lxml_html

from tests.conftest import REPO

BLOGS = REPO / "tests" / "fixtures" / "blogs"
TEMPLATE_CODE = re.compile(r"\{\{[<%]|[>%]\}\}|\{%|%\}|\{\{|\}\}")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "syndicator", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def adopt(name: str, tmp_path: Path, *, rejected: str = "") -> Path:
    """Copy a fixture blog, then init and build it as its writer would. `rejected`: the one file
    syndicator may reject (one the engine does not publish either)."""
    site = tmp_path / name
    shutil.copytree(BLOGS / name, site)
    init = run("init", "--from", ".", cwd=site)
    assert init.returncode == 0, init.stdout + init.stderr
    build = run("build", cwd=site)
    if not rejected:
        assert build.returncode == 0, build.stdout + build.stderr
        assert " 0 rejected" in build.stdout, build.stdout
    else:
        assert " 1 rejected" in build.stdout and f"{rejected}:1: " in build.stderr, build.stdout + build.stderr
    return site


def entries(feed: Path) -> dict[str, tuple[str, str, datetime]]:
    """id -> (link, title, publish time in UTC), as feedparser reads the feed."""
    parsed = feedparser.parse(feed.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    out = {}
    for e in parsed.entries:
        when = e.get("published_parsed") or e.get("updated_parsed")
        out[e.id] = (e.link, e.title, datetime.fromtimestamp(calendar.timegm(when), timezone.utc))
    return out


def engine_feed(engine: str, site: Path, tmp_path: Path, *args: str, feed: str) -> Path:
    """Build a clean copy of the fixture with the engine itself; its feed's path."""
    if shutil.which(engine) is None:
        pytest.skip(f"{engine} is not installed (apt-get install {engine})")
    copy = tmp_path / f"{engine}-build"
    shutil.copytree(site, copy)
    done = subprocess.run([engine, *args], cwd=copy, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return copy / feed


def feed_texts(path: Path) -> list[tuple[str, str, str]]:
    """(link, title, summary, HTML content) of each item, read as a reader reads the format."""
    if path.suffix == ".json":
        items = json.loads(path.read_text(encoding="utf-8"))["items"]
        return [(i.get("url", ""), i.get("title", "") + " " + i.get("summary", ""), i.get("content_html", ""))
                for i in items]
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.version, path
    return [(e.get("link", ""), e.get("title", "") + " " + e.get("summary", ""),
             " ".join(c.value for c in e.get("content", []))) for e in parsed.entries]


def assert_no_template_code(folder: Path) -> None:
    """No shortcode or Liquid in any feed, outside code the post shows on purpose."""
    feeds = [p for p in folder.rglob("*") if p.suffix in (".xml", ".json")]
    assert feeds
    seen = 0
    for path in feeds:
        for link, text, content in feed_texts(path):
            seen += 1
            tree = lxml_html.fromstring(f"<div>{content}</div>")
            for code in tree.xpath("//pre | //code"):
                code.drop_tree()
            for part in (text, tree.text_content()):
                assert not TEMPLATE_CODE.search(part), (path.name, link, part[:300])
    assert seen


def test_hugo_basic_example_matches_hugos_own_feed(tmp_path):
    site = adopt("hugo-basic-example", tmp_path)
    public = engine_feed("hugo", BLOGS / "hugo-basic-example", tmp_path, "--quiet", feed="public")
    out = site / "syndicator-feeds"
    hugo = entries(public / "post" / "index.xml")  # the posts section's feed: the posts syndicator reads
    assert len(hugo) == 5
    # The site feed is at Hugo's path, /index.xml: Hugo's home feed also lists two pages (about,
    # archives), which are not posts; every post in it has the same id, link, title and date.
    ours, home = entries(out / "index.xml"), entries(public / "index.xml")
    assert ours == hugo and {i: home[i] for i in ours} == ours
    # Each tag and category feed at Hugo's path holds the same entries; Hugo's one more is the tag
    # of content/post/_index.md, a section page, which is not a post.
    theirs = {p.relative_to(public).as_posix() for p in public.glob("[tc]*/*/index.xml")}
    mine = {p.relative_to(out).as_posix() for p in out.glob("[tc]*/*/index.xml")}
    assert theirs - mine == {"tags/index/index.xml"} and len(theirs & mine) == 9, (theirs, mine)
    for rel in sorted(theirs & mine):
        assert entries(out / rel) == entries(public / rel), rel
    assert_no_template_code(out)


def test_jekyll_news_matches_jekyll_feed(tmp_path):
    site = adopt("jekyll-news", tmp_path)
    override = tmp_path / "jekyll-test.yml"  # the plugins installed here: jekyll-feed alone
    override.write_text("plugins: [jekyll-feed]\nfeed:\n  posts_limit: 1000\n")
    built = engine_feed("jekyll", BLOGS / "jekyll-news", tmp_path, "build", "--quiet",
                        "--config", f"_config.yml,{override}", feed="_site")
    out = site / "_syndicator-feeds"
    theirs = entries(built / "feed.xml")
    ours = entries(out / "feed.xml")  # jekyll-feed's path, Atom as jekyll-feed's is
    assert len(theirs) == 14
    ours_all = {**ours, **entries(out / "rss.xml")}
    assert set(theirs) <= set(ours_all), sorted(set(theirs) - set(ours_all))
    assert {i: ours_all[i] for i in theirs} == theirs
    # `feed: categories: [release]` -> /feed/release.xml, at the same path here, the same entries
    release = entries(built / "feed" / "release.xml")
    assert release and entries(out / "feed" / "release.xml") == {i: ours_all[i] for i in release}
    assert_no_template_code(out)
    # `{{ site.repository }}` comes from _config.yml (init copies the site values posts use)
    assert 'href="https://github.com/jekyll/jekyll/issues/1339"' in (out / "feed.xml").read_text()


def test_eleventy_base_blog_by_eleventys_rules(tmp_path):
    """Eleventy is not installed here: the expected feed follows the base blog's feed template
    (Atom id and link = the post's absolute URL; drafts left out). The fifth post is a draft
    with JavaScript front matter, which syndicator reads as data (`const draft = true;`, no code
    run): a draft here too, so nothing is rejected and the four others publish."""
    site = adopt("eleventy-base-blog", tmp_path)
    ours = entries(site / "syndicator-feeds" / "feed" / "feed.xml")  # the feed plugin's outputPath
    expected = {f"https://example.com/blog/{slug}/": (title, datetime.fromisoformat(day).replace(tzinfo=timezone.utc))
                for slug, title, day in (
                    ("firstpost", "This is my first post.", "2018-05-01"),
                    ("secondpost", "This is my second post with a much longer title.", "2018-07-04"),
                    ("thirdpost", "This is my third post.", "2018-08-24"),
                    ("fourthpost", "This is my fourth post", "2018-09-30"))}
    assert ours == {i: (i, title, when) for i, (title, when) in expected.items()}
    assert_no_template_code(site / "syndicator-feeds")


@pytest.mark.parametrize("name, path, media_type", [
    ("hugo-basic-example", "/index.xml", "application/rss+xml"),
    ("hugo-basic-example", "/tags/markdown/index.xml", "application/rss+xml"),
    ("jekyll-news", "/feed.xml", "application/atom+xml"),
    ("jekyll-news", "/feed/release.xml", "application/atom+xml"),
])
def test_the_adopted_feeds_are_served_at_the_old_paths(tmp_path, name, path, media_type):
    site = adopt(name, tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "syndicator", "serve", "--host", "127.0.0.1", "--port", "0"],
                            cwd=site, stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        while "serving" not in line and proc.poll() is None:
            line = proc.stderr.readline()
        port = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert port, line
        conn = http.client.HTTPConnection("127.0.0.1", int(port.group(1)), timeout=10)
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        conn.request("GET", "/")
        page = conn.getresponse().read().decode()
    finally:
        proc.terminate()
        proc.wait(10)
    assert response.status == 200 and response.getheader("Content-Type") == f"{media_type}; charset=utf-8"
    parsed = feedparser.parse(body)
    assert not parsed.bozo and parsed.entries
    assert f'type="{media_type}"' in page and f'href="{path[1:]}"' in page  # autodiscovery on the page at /


def test_init_tells_what_it_mapped_and_where_the_old_feeds_were(tmp_path):
    site = tmp_path / "blog"
    shutil.copytree(BLOGS / "jekyll-news", site)
    result = run("init", "--from", ".", cwd=site)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Jekyll site found (_config.yml); wrote syndicator.toml" in out
    assert re.search(r"\[site\] permalink\s+/news/\{year\}/\{month\}/\{day\}/\{slug\}/", out)
    assert re.search(r"\[site\] timezone\s+America/Los_Angeles\s+_config.yml: timezone", out)
    assert "the old feeds lived at /feed.xml, /feed/release.xml" in out
    again = run("init", "--from", ".", cwd=site)
    assert again.returncode != 0 and "never overwrites" in again.stderr
    assert "Traceback" not in again.stderr


def test_pinned_ids_from_the_old_feed_survive_a_rule_change(tmp_path):
    hugo_feed = engine_feed("hugo", BLOGS / "hugo-basic-example", tmp_path, "--quiet",
                            feed="public/post/index.xml")
    site = tmp_path / "blog"
    shutil.copytree(BLOGS / "hugo-basic-example", site)
    result = run("init", "--from", ".", "--feed", str(hugo_feed), cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ids: 5 of 5 entries" in result.stdout
    config = site / "syndicator.toml"
    config.write_text(config.read_text().replace('ids = "permalink"', 'ids = "tag"'))
    assert run("build", cwd=site).returncode == 0
    assert set(entries(site / "syndicator-feeds" / "atom.xml")) == set(entries(hugo_feed))
    assert set(entries(site / "syndicator-feeds" / "index.xml")) == set(entries(hugo_feed))
