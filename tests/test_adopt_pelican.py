"""Pelican sites adopted as a new user would (`syndicator init --from .`, `syndicator build`, no
hand edits), compared with the feed Pelican itself builds from the same folder: Pelican is a
[test] dependency and runs here. Fixture and licence: tests/fixtures/blogs/README.md."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

from tests.test_adopt_blogs import BLOGS, entries, run

# reST, Pelican and template markup that must never reach a feed raw
RAW_MARKUP = re.compile(r":strike:`|\|br\||\.\. (?:video|uml|raw|include)::|[{|](?:filename|static|attach)[}|]|"
                        r"%7[BC](?:filename|static)|problematic(?:\"|&quot;)|system-message|System Messages|Unknown (?:directive|"
                        r"interpreted)|&lt;(?:head|title|meta)\b")


def pelican(site: Path, out: Path, settings: str = "pelicanconf.py", **env: str) -> subprocess.CompletedProcess[str]:
    """Pelican's own build of a copy of the site (plugins off: they are not part of the fixture)."""
    copy = out.parent / (out.name + "-src")
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("syndicator*", ".syndicator*"))
    done = subprocess.run([sys.executable, "-m", "pelican", "content", "-s", settings, "-o", str(out),
                           "-e", "PLUGINS=[]"], cwd=copy, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "400", "TERM": "dumb", **env})
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def adopt(site: Path) -> subprocess.CompletedProcess[str]:
    init = run("init", "--from", ".", cwd=site)
    assert init.returncode == 0, init.stdout + init.stderr
    build = run("build", cwd=site)
    assert build.returncode == 0 and " 0 rejected" in build.stdout, build.stdout + build.stderr
    return build


def assert_no_raw_markup(folder: Path) -> None:
    files = [p for p in folder.rglob("*") if p.suffix in (".xml", ".json")]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        found = RAW_MARKUP.search(text)
        assert found is None, (path, text[max(0, found.start() - 200): found.end() + 100])


def test_capu_blog_publishes_pelicans_ids_links_titles_and_dates(tmp_path):
    site = tmp_path / "capu"
    shutil.copytree(BLOGS / "pelican-capu", site)
    engine = pelican(site, tmp_path / "pelican-out", "publishconf.py")
    build = adopt(site)
    assert "posts: 20 read, 18 published, 2 draft, 0 scheduled, 0 rejected" in build.stdout, build.stdout
    theirs = entries(tmp_path / "pelican-out" / "feeds" / "all.rss.xml")
    ours = entries(site / "syndicator-feeds" / "feeds" / "all.rss.xml")  # init keeps Pelican's feed path
    assert len(theirs) == 14
    assert {i: ours.get(i) for i in theirs} == theirs  # same ids, and per id the same link, title, date
    # The four others use markup of the blog's plugins (`:strike:`, `.. video::`), which Pelican
    # without them cannot process: syndicator publishes them, that markup shown as plain text.
    failed = set(re.findall(r"Could not process \./(\S+\.rst)", engine.stdout + engine.stderr))
    assert len(failed) == 4
    extra = {link for i, (link, _t, _d) in ours.items() if i not in theirs}
    assert len(extra) == 4 and "http://blog.capu.tech/2023-10-04-huff.html" in extra
    assert_no_raw_markup(site / "syndicator-feeds")


def test_bossylobster_markdown_blog_publishes_pelicans_ids_links_titles_and_dates(tmp_path):
    """Python-Markdown meta between `---` lines (`twitter_site: @x` is no YAML), Markdown titles
    (FORMATTED_FIELDS), dated URLs, and a SITEURL set in pelicanconf.py's `if PUBLISH:` block."""
    site = tmp_path / "bossylobster"
    shutil.copytree(BLOGS / "pelican-bossylobster", site)
    pelican(site, tmp_path / "pelican-out", PUBLISH="true")
    build = adopt(site)
    assert "posts: 7 read, 7 published, 0 draft, 0 scheduled, 0 rejected" in build.stdout, build.stdout
    theirs = entries(tmp_path / "pelican-out" / "feeds" / "atom.all.xml")
    ours = entries(site / "syndicator-feeds" / "feeds" / "atom.all.xml")
    assert len(theirs) == 7 and ours == theirs
    assert ours["tag:blog.bossylobster.com,2020-11-25:/2020/11/pow-confusion.html"][1] == "pow Confusion"
    assert_no_raw_markup(site / "syndicator-feeds")


SITE = {
    "pelicanconf.py": """\
        AUTHOR = 'Ann Example'
        SITENAME = 'Three Formats'
        SITEURL = 'https://three.example.org'
        PATH = 'content'
        TIMEZONE = 'Europe/Paris'
        DEFAULT_LANG = 'en'
        ARTICLE_URL = 'posts/{date:%Y}/{category}/{slug}/'
        ARTICLE_SAVE_AS = 'posts/{date:%Y}/{category}/{slug}/index.html'
        FEED_ALL_ATOM = 'feeds/all.atom.xml'
        """,
    "content/python/first-steps.rst": """\
        First steps & more
        ##################

        :date: 2024-03-01 10:20
        :tags: python, docs
        :authors: Ann Example; Bob Builder
        :summary: A *formatted* summary.

        Body with a `link <{static}/images/cat.jpg>`_ and a ``literal``.

        .. code-block:: python
           :linenos: table

           print("hi")
        """,
    "content/2024-02-10-notes.md": "Title: Notes, in Markdown\nTags: a, b\n\nSee [that](|filename|/python/first-steps.rst).\n",
    "content/Web Things/page-like.html": """\
        <html>
          <head>
            <title>An HTML article &amp; friends</title>
            <meta name="date" content="2024-01-05 08:00" />
            <meta name="keywords" content="html, pelican" />
            <meta name="category" content="Web & Things" />
            <meta name="authors" content="Ann Example" />
            <meta name="summary" content="Short." />
          </head>
          <body>
            <p>Written as a page.</p>
          </body>
        </html>
        """,
    "content/python/first-steps-fr.rst": "Premiers pas\n############\n\n:date: 2024-03-01 10:20\n:lang: fr\n"
                                         ":slug: first-steps-more\n\nEn français.\n",
    "content/drafts/later.rst": "Later\n#####\n\n:status: draft\n\nNo date yet.\n",
    "content/pages/about.rst": "About\n#####\n\nA page, not an article.\n",
}


def test_rst_markdown_and_html_articles_match_pelicans_feed(tmp_path):
    site = tmp_path / "three"
    for name, text in SITE.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(dedent(text), encoding="utf-8")
    pelican(site, tmp_path / "pelican-out")
    build = adopt(site)
    assert "5 read, 4 published" in build.stdout, build.stdout  # the undated draft is not a post
    theirs = entries(tmp_path / "pelican-out" / "feeds" / "all.atom.xml")
    ours = entries(site / "syndicator-feeds" / "feeds" / "all.atom.xml")
    assert len(theirs) == 4 and ours == theirs
    assert "tag:three.example.org,2024-03-01:/posts/2024/python/first-steps-more/" in ours
    assert "tag:three.example.org,2024-03-01:/first-steps-more-fr.html" in ours  # ARTICLE_LANG_URL
    assert_no_raw_markup(site / "syndicator-feeds")
    atom = (site / "syndicator-feeds" / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert "https://three.example.org/images/cat.jpg" in atom and "print(&amp;quot;hi&amp;quot;)" in atom
    assert "Written as a page." in atom and "&lt;head" not in atom
    # Pelican's per-category (Atom) and per-author (RSS) feeds are at the same paths here, with the
    # same entries; not its per-language all-LANG feeds, nor its author Atom feeds, whose path
    # feeds/{slug}.atom.xml is the category feeds' too (README, Bring your blog).
    theirs_dir, ours_dir = tmp_path / "pelican-out" / "feeds", site / "syndicator-feeds" / "feeds"
    mine = {p.name for p in ours_dir.glob("*.xml")}
    moved = {name.replace(".rss.xml", ".atom.xml") for name in mine if name.endswith(".rss.xml")}
    assert len(mine) == 6 and mine == {p.name for p in theirs_dir.glob("*.xml")
                                       if not p.name.startswith("all-") and p.name not in moved}
    for name in sorted(mine):  # Pelican leaves translations (lang: fr) out of these; syndicator does not
        theirs_feed, ours_feed = entries(theirs_dir / name), entries(ours_dir / name)
        assert theirs_feed and {i: ours_feed[i] for i in theirs_feed} == theirs_feed, name
        assert all("-fr.html" in i for i in set(ours_feed) - set(theirs_feed)), name


def test_init_maps_pelicans_folders_links_categories_and_feeds(tmp_path):
    conf = """\
        SITENAME = 'Mapped'
        SITEURL = ''
        PATH = 'src'
        ARTICLE_PATHS = ['blog']
        PAGE_PATHS = ['blog/pages']
        STATIC_PATHS = ['blog/img', 'theme-assets']
        OUTPUT_PATH = 'syndicator-feeds/'
        ARTICLE_URL = '{category}/{slug}/'
        ARTICLE_SAVE_AS = '{category}/{slug}/index.html'
        FEED_MAX_ITEMS = 15
        PLUGINS = ['sitemap']
        if True:
            SITEURL = 'https://mapped.example.org'
            FEED_ALL_ATOM = 'feeds/everything.xml'
        """
    (tmp_path / "src" / "blog" / "notes").mkdir(parents=True)
    (tmp_path / "pelicanconf.py").write_text(dedent(conf), encoding="utf-8")
    (tmp_path / "src" / "blog" / "notes" / "a.rst").write_text("A\n#\n\n:date: 2024-05-06\n\nx\n", encoding="utf-8")
    init = run("init", "--from", ".", cwd=tmp_path)
    assert init.returncode == 0, init.stdout + init.stderr
    text = (tmp_path / "syndicator.toml").read_text(encoding="utf-8")
    for line in ('url = "https://mapped.example.org/"', 'posts = "src/blog"', 'ids = "pelican"',
                 'exclude = ["img", "pages"]', 'default_category = "blog"', "folder_category = true",
                 "items = 15"):
        assert line in text, (line, text)
    assert 'output = "syndicator-feeds-out"' in text  # never Pelican's OUTPUT_PATH
    assert 'permalink = "/{category}/{slug}/"' in text
    assert "PLUGINS" in init.stdout, init.stdout
    assert "/feeds/everything.xml" in init.stdout
    build = run("build", cwd=tmp_path)
    assert build.returncode == 0 and "1 published" in build.stdout, build.stdout + build.stderr
    atom = (tmp_path / "syndicator-feeds-out" / "feeds" / "everything.xml").read_text(encoding="utf-8")
    assert "<id>tag:mapped.example.org,2024-05-06:/notes/a/</id>" in atom and 'term="notes"' in atom
