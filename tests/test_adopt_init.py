"""`syndicator init --from DIR` on small sites of each engine (written here, not fetched): what
it recognises, what it writes, and that it never overwrites a file."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import feedparser
import pytest

from syndicator.adopt.detect import detect
from syndicator.config import load


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def init(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "syndicator", "init", "--from", ".", *args], cwd=root,
                          capture_output=True, text=True, timeout=120)


SITES = {
    "zola": {
        "config.toml": 'base_url = "https://zola.example.org"\ntitle = "Zola Notes"\nauthor = "Ada Lovelace"\n'
                       'generate_feeds = true\nfeed_filenames = ["atom.xml"]\n',
        "content/blog/_index.md": '+++\ntitle = "Blog"\n+++\n',
        "content/blog/first.md": '+++\ntitle = "First"\ndate = 2024-02-03\n+++\nHello.\n'},
    "astro": {
        "astro.config.mjs": "export default defineConfig({ site: 'https://astro.example.org' });\n",
        "src/consts.ts": "export const SITE_TITLE = 'Astro Notes';\n",
        "src/pages/rss.xml.js": "export async function GET() {}\n",
        "src/content/blog/first-post.md": "---\ntitle: First\npubDate: 2022-07-08\n---\nHello.\n"},
    "pelican": {
        "pelicanconf.py": "AUTHOR = 'Grace Hopper'\nSITENAME = 'Pelican Notes'\nSITEURL = ''\n"
                          "TIMEZONE = 'Europe/Paris'\nARTICLE_URL = 'posts/{date:%Y}/{slug}.html'\n",
        "publishconf.py": "SITEURL = 'https://pelican.example.org'\n",
        "content/first.md": "Title: First\nDate: 2024-02-03 10:00\n\nHello.\n"},
    "hugo": {
        "hugo.toml": 'baseURL = "https://hugo.example.org/"\ntitle = "Hugo Notes"\ntimeZone = "Europe/Oslo"\n'
                     '[permalinks]\nposts = "/:year/:month/:slug/"\n',
        "data/authors/kari.yaml": "name: Kari Nordmann\nbio: Writes.\n",
        "content/posts/first.md": '+++\ntitle = "First"\ndate = 2024-02-03\n+++\nHello.\n'},
    "eleventy": {
        ".eleventy.js": "module.exports = function (c) { return { dir: { input: 'src' } }; };\n",
        "src/_data/metadata.json": '{"title": "Eleventy Notes", "url": "https://11ty.example.org/"}\n',
        "src/posts/first.md": "---\ntitle: First\ndate: 2024-02-03\n---\nHello.\n"},
}
EXPECTED = {
    "zola": {"title": "Zola Notes", "url": "https://zola.example.org/", "posts": "content/blog",
             "permalink": "/blog/{slug}/", "ids": "permalink", "author": "ada-lovelace"},
    "astro": {"title": "Astro Notes", "url": "https://astro.example.org/", "posts": "src/content/blog",
              "permalink": "/blog/{slug}/", "ids": "permalink"},
    "pelican": {"title": "Pelican Notes", "url": "https://pelican.example.org/", "posts": "content",
                "permalink": "/posts/{year}/{slug}.html", "ids": "pelican", "timezone": "Europe/Paris"},
    "hugo": {"title": "Hugo Notes", "url": "https://hugo.example.org/", "posts": "content/posts",
             "permalink": "/{year}/{month}/{slug}/", "ids": "permalink", "timezone": "Europe/Oslo",
             "author": "kari"},
    "eleventy": {"title": "Eleventy Notes", "url": "https://11ty.example.org/", "posts": "src/posts",
                 "permalink": "/posts/{slug}/", "ids": "permalink"},
}
OLD_FEEDS = {"zola": "/atom.xml", "astro": "/rss.xml", "pelican": "/feeds/all.atom.xml", "hugo": "/index.xml",
             "eleventy": "/feed.xml"}


@pytest.mark.parametrize("engine", sorted(SITES))
def test_each_engine_is_recognised_and_mapped(tmp_path, engine):
    root = write(tmp_path, SITES[engine])
    assert detect(root)[0] == engine
    result = init(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{engine.capitalize()} site found" in result.stdout
    assert f"the old feeds lived at {OLD_FEEDS[engine]}" in result.stdout
    written = tomllib.loads((root / "syndicator.toml").read_text())
    assert {k: written["site"][k] for k in EXPECTED[engine]} == EXPECTED[engine]
    config = load(root / "syndicator.toml")
    assert config.posts_dir == root / EXPECTED[engine]["posts"]
    assert not config.feeds.output.resolve().is_relative_to((root / "public").resolve())


def test_authors_come_from_data_files(tmp_path):
    root = write(tmp_path, SITES["hugo"])
    assert init(root).returncode == 0
    config = load(root / "syndicator.toml")
    assert config.authors["kari"].name == "Kari Nordmann" and config.authors["kari"].bio == "Writes."


# The [feeds.paths] format of each engine's old site feed (OLD_FEEDS): Hugo's and Astro's are RSS,
# the others Atom.
OLD_FORMAT = {"zola": "atom", "astro": "rss", "pelican": "atom", "hugo": "rss", "eleventy": "atom"}


def build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "syndicator", "build"], cwd=root, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("engine", sorted(SITES))
def test_init_writes_the_feeds_at_the_old_engines_paths(tmp_path, engine):
    root = write(tmp_path, SITES[engine])
    result = init(root)  # not a terminal: keeping the old paths is the default
    assert result.returncode == 0, result.stdout + result.stderr
    old, fmt = OLD_FEEDS[engine], OLD_FORMAT[engine]
    assert re.search(rf"\[feeds.paths\] {fmt}\s+{re.escape(old[1:])}\s", result.stdout), result.stdout
    assert "subscribers need no redirect" in result.stdout
    config = load(root / "syndicator.toml")
    assert config.feeds.url == EXPECTED[engine]["url"] and config.feeds.paths.site(fmt) == old[1:]
    assert config.feeds.paths.site("page") != "index.html"  # published at the root, beside the blog's own
    assert build(root).returncode == 0
    feed = feedparser.parse((config.feeds.output / old[1:]).read_bytes())
    assert feed.version.startswith(fmt) and not feed.bozo
    assert EXPECTED[engine]["url"].rstrip("/") + old in [link.href for link in feed.feed.links if link.rel == "self"]
    assert not (config.feeds.output / "index.html").exists()


def test_new_feed_paths_keeps_syndicators_own_names_and_says_how_to_redirect(tmp_path):
    root = write(tmp_path, SITES["hugo"])
    result = init(root, "--new-feed-paths")
    assert result.returncode == 0, result.stderr
    assert "the old feeds lived at /index.xml, /posts/index.xml" in result.stdout
    assert "redirect the old paths" in result.stdout and "--keep-feed-paths" in result.stdout
    assert "paths" not in tomllib.loads((root / "syndicator.toml").read_text())["feeds"]
    assert build(root).returncode == 0
    assert (root / "syndicator-feeds" / "rss.xml").is_file() and not (root / "syndicator-feeds" / "index.xml").exists()


def test_pelican_keeps_its_category_feeds_and_author_feeds_that_would_meet_them_are_moved(tmp_path):
    """Pelican's defaults put both category and author feeds at feeds/{slug}.atom.xml: a category
    and an author of one name would share a file, so the author feeds keep syndicator's folder."""
    root = write(tmp_path, {**SITES["pelican"], "content/second.md": "Title: Second\nDate: 2024-02-04 10:00\n"
                                                                       "Category: Notes\nAuthor: Ada L. (ada@ex.org)\n\nMore.\n"})
    result = init(root)
    assert result.returncode == 0, result.stderr
    assert re.search(r"\[feeds.paths\] category_atom\s+feeds/\{slug\}.atom.xml\s+pelicanconf.py: CATEGORY_FEED_ATOM",
                     result.stdout), result.stdout
    assert re.search(r"AUTHOR_FEED_ATOM \(feeds/\{slug\}.atom.xml\)\s+category_atom = 'feeds/\{slug\}.atom.xml' and "
                     r"author_atom = 'feeds/\{slug\}.atom.xml' can put two feeds at one path", result.stdout), result.stdout
    paths = load(root / "syndicator.toml").feeds.paths
    assert paths.pattern("author", "atom") == "authors/{slug}/all.atom.xml"
    assert paths.pattern("author", "rss") == "feeds/{slug}.rss.xml"
    assert build(root).returncode == 0
    notes = feedparser.parse((root / "syndicator-feeds" / "feeds" / "notes.atom.xml").read_bytes())
    assert [e.title for e in notes.entries] == ["Second"]  # at Pelican's path for the category
    # Pelican names author feeds by its slug of the author's name: punctuation dropped, not a '-'
    # (its own build of tests/fixtures/blogs/pelican-bossylobster writes feeds/danny-hermes-dhermesbossylobstercom.rss.xml)
    ada = feedparser.parse((root / "syndicator-feeds" / "feeds" / "ada-l-adaexorg.rss.xml").read_bytes())
    assert [e.title for e in ada.entries] == ["Second"]


def test_nothing_is_overwritten_and_a_folder_without_an_engine_is_a_clear_error(tmp_path):
    root = write(tmp_path, SITES["zola"])
    (root / "syndicator.toml").write_text("# mine\n")
    result = init(root)
    assert result.returncode != 0 and "never overwrites" in result.stderr
    assert (root / "syndicator.toml").read_text() == "# mine\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    result = init(empty)
    assert result.returncode != 0 and "no Hugo, Jekyll, Zola" in result.stderr
    assert "Traceback" not in result.stderr and not (empty / "syndicator.toml").exists()


def test_commands_find_syndicator_toml_beside_the_engines_config_toml(tmp_path):
    root = write(tmp_path, SITES["zola"])
    assert init(root).returncode == 0
    check = subprocess.run([sys.executable, "-m", "syndicator", "check"], cwd=root, capture_output=True,
                           text=True, timeout=120)
    assert "config: ok" in check.stdout, check.stderr


OLD_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hugo Notes</title><link>https://hugo.example.org/</link>
<item><title>First</title><link>https://hugo.example.org/2024/02/first/</link>
<guid isPermaLink="false">urn:uuid:0b6c3c1e-old-engine-id</guid></item>
<item><title>About</title><link>https://hugo.example.org/about/</link><guid>https://hugo.example.org/about/</guid></item>
</channel></rss>"""


def test_feed_from_a_url_pins_ids_matched_by_link(tmp_path):
    import http.server
    import threading

    root = write(tmp_path / "site", SITES["hugo"])
    served = write(tmp_path / "served", {"index.xml": OLD_RSS})
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(served), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = init(root, "--feed", f"http://127.0.0.1:{server.server_address[1]}/index.xml")
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ids: 1 of 2 entries" in result.stdout
    assert "not a post here: https://hugo.example.org/about/" in result.stdout
    ids = tomllib.loads((root / "syndicator-ids.toml").read_text())["ids"]
    assert ids == {"https://hugo.example.org/2024/02/first/": "urn:uuid:0b6c3c1e-old-engine-id"}
    subprocess.run([sys.executable, "-m", "syndicator", "build"], cwd=root, timeout=120, check=True)
    assert "<id>urn:uuid:0b6c3c1e-old-engine-id</id>" in (root / "syndicator-feeds" / "atom.xml").read_text()


def test_an_unreadable_feed_writes_nothing(tmp_path):
    root = write(tmp_path, SITES["zola"])
    (root / "old.xml").write_text("this is not a feed")
    result = init(root, "--feed", "old.xml")
    assert result.returncode != 0 and "--feed old.xml" in result.stderr and "Traceback" not in result.stderr
    assert not (root / "syndicator.toml").exists() and not (root / "syndicator-ids.toml").exists()


def test_jekyll_feed_category_and_tag_feeds_keep_their_paths(tmp_path):
    root = write(tmp_path, {
        "_config.yml": "title: Notes\nurl: https://jk.example.org\nplugins: [jekyll-feed]\n"
                       "feed:\n  categories: [news, Release Notes]\n  tags: true\n",
        "_posts/2024-02-03-first.md": "---\ntitle: First\ncategories: [news]\ntags: [python]\n---\nHello.\n"})
    result = init(root)
    assert result.returncode == 0, result.stderr
    assert re.search(r"\[feeds.paths\] category_atom\s+feed/\{slug\}.xml\s+jekyll-feed: feed.categories", result.stdout)
    assert re.search(r"/feed/Release Notes.xml\s+jekyll-feed names the file as the category is spelled; "
                     r"syndicator writes it at /feed/release-notes.xml", result.stdout), result.stdout
    assert build(root).returncode == 0
    out = root / "_syndicator-feeds"
    for rel in ("feed.xml", "feed/news.xml", "feed/by_tag/python.xml"):
        parsed = feedparser.parse((out / rel).read_bytes())
        assert parsed.version == "atom10" and [e.title for e in parsed.entries] == ["First"], rel
