"""Eleventy and Astro blogs adopted as a new user would (`syndicator init --from .`, then
`syndicator build`, no hand edits), compared with the feed the engine itself writes for the same
posts: item ids, links, titles and publish dates. Eleventy runs here (tests/js installs it);
Astro's feed was made once with Astro and kept (see the fixture's README). Fixtures and their
licences: tests/fixtures/blogs/README.md."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

from tests.conftest import REPO
from tests.test_adopt_blogs import BLOGS, adopt, assert_no_template_code, entries, site_feed
from tests.test_adopt_blogs import run as syndicator

NODE_MODULES = REPO / "tests" / "js" / "node_modules"
ELEVENTY = NODE_MODULES / "@11ty" / "eleventy" / "cmd.cjs"


def eleventy_build(site: Path, tmp_path: Path) -> Path:
    """Build a clean copy of the site with Eleventy itself; its output folder. Eleventy and its
    feed plugin come from tests/js (`npm ci --prefix tests/js`, run by scripts/test-setup)."""
    assert shutil.which("node"), "node is missing: run scripts/test-setup"
    assert ELEVENTY.is_file(), f"{ELEVENTY} is missing: run `npm ci --prefix tests/js`"
    copy = tmp_path / "eleventy-build"
    shutil.copytree(site, copy)
    (copy / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    env = {**os.environ, "ELEVENTY_RUN_MODE": "build"}
    done = subprocess.run(["node", str(ELEVENTY), "--quiet"], cwd=copy, capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return copy / "_site"


def json_items(feed: Path) -> dict[str, tuple[str, str, datetime]]:
    """id -> (url, title, date_published) of a JSON Feed."""
    items = json.loads(feed.read_text(encoding="utf-8"))["items"]
    return {i["id"]: (i["url"], i["title"], datetime.fromisoformat(i["date_published"])) for i in items}


def test_eleventy_base_blog_matches_eleventys_own_feeds(tmp_path):
    """Eleventy publishes four posts (the fifth is a `---js` draft, left out of a build by the
    base blog's preprocessor); syndicator reads the same five files, rejects none and publishes
    the same four with the same ids, links, titles and dates, in Atom and in JSON Feed."""
    theirs = eleventy_build(BLOGS / "eleventy-base-blog", tmp_path)
    site = adopt("eleventy-base-blog", tmp_path)
    atom = entries(theirs / "feed" / "feed.xml")
    assert len(atom) == 4
    assert entries(site_feed(site, "atom")) == atom
    their_json = json_items(theirs / "feed" / "feed.json")
    assert set(their_json) == set(atom)
    assert json_items(site_feed(site, "json")) == their_json
    assert_no_template_code(site / "syndicator-feeds")


def test_astro_blog_example_matches_astros_own_feed(tmp_path):
    """Astro's blog example publishes its five posts (one MDX) in /rss.xml; syndicator publishes
    the same five with the same guids, links, titles and dates. The MDX import and component
    are removed with a warning at their line; the component's text stays."""
    theirs = entries(BLOGS / "astro-blog" / "astro-output" / "rss.xml")
    assert len(theirs) == 5
    site = tmp_path / "blog"
    shutil.copytree(BLOGS / "astro-blog", site)
    assert syndicator("init", "--from", ".", cwd=site).returncode == 0
    build = syndicator("build", cwd=site)
    assert build.returncode == 0 and " 5 published," in build.stdout and " 0 rejected" in build.stdout, build.stdout
    assert entries(site_feed(site, "rss")) == theirs
    assert entries(site_feed(site, "atom")) == theirs
    assert_no_template_code(site / "syndicator-feeds")
    items = {i["url"]: i for i in json.loads((site_feed(site, "json")).read_text())["items"]}
    mdx = items["https://example.com/blog/using-mdx/"]["content_html"]
    assert "Embedded component in MDX" in mdx
    assert "import HeaderLink" not in mdx and "HeaderLink" not in mdx and "onclick" not in mdx
    assert "src/content/blog/using-mdx.mdx:21: warning: template code import HeaderLink" in build.stderr
    assert "src/content/blog/using-mdx.mdx:23: warning: template code <HeaderLink> removed" in build.stderr


def test_astro_ids_pinned_from_astros_feed(tmp_path):
    """`init --feed` with Astro's own rss.xml pins every guid, and the build publishes them."""
    site = tmp_path / "blog"
    shutil.copytree(BLOGS / "astro-blog", site)
    init = syndicator("init", "--from", ".", "--feed", "astro-output/rss.xml", cwd=site)
    assert init.returncode == 0, init.stdout + init.stderr
    assert "ids: 5 of 5 entries" in init.stdout
    build = syndicator("build", cwd=site)
    assert build.returncode == 0, build.stdout + build.stderr
    assert set(entries(site_feed(site, "atom"))) == set(
        entries(BLOGS / "astro-blog" / "astro-output" / "rss.xml"))
