"""Hugo `cascade` (in sections' _index.md and in the site config) read as `hugo` applies it: the
same site built by hugo (Debian's, installed by scripts/test-setup) and by syndicator after
`init --from .`, compared on what each publishes, with which tags, categories and author.
(No two cascades with different `_target`s set the same key for one page here: hugo 0.111 then
picks either at random, build to build; syndicator takes the closest section's.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
import time
from pathlib import Path

import feedparser

from tests.test_adopt_blogs import entries, site_feed
from tests.test_adopt_blogs import run as syndicator

CONFIG = """\
baseURL = "https://hc.example.org/"
title = "Cascade"
[[cascade]]
  banner = "site-wide"
  [cascade._target]
    path = "/posts/notes/**"
[[cascade]]
  tags = ["from-config"]
  [cascade._target]
    kind = "page"
    path = "/posts/listed/**"
"""
FILES = {
    "content/_index.md": "---\ntitle: Home\ncascade:\n  author: Home Author\n---\n",
    "content/posts/_index.md": "---\ntitle: Posts\ncascade:\n  - categories: [general]\n"
                               "  - _target:\n      path: /posts/hidden/**\n    _build:\n      list: never\n---\n",
    "content/posts/drafts/_index.md": "---\ntitle: Drafts\ncascade:\n  draft: true\n---\n",
    "content/posts/notes/_index.md": "---\ntitle: Notes\ncascade:\n  tags: [notes]\n  categories: [notes-cat]\n---\n",
    "content/posts/notes/deep/_index.md": "---\ntitle: Deep\ncascade:\n  tags: [deep]\n---\n",
    "content/posts/a.md": "---\ntitle: Post a\ndate: 2024-01-01\n---\nA.\n",
    "content/posts/drafts/b.md": "---\ntitle: Post b\ndate: 2024-01-02\n---\nB.\n",
    "content/posts/drafts/g.md": "---\ntitle: Undraft\ndate: 2024-01-07\ndraft: false\n---\nG.\n",
    "content/posts/notes/c.md": "---\ntitle: Post c\ndate: 2024-01-03\n---\nC.\n",
    "content/posts/notes/deep/d.md": "---\ntitle: Post d\ndate: 2024-01-04\n---\nD.\n",
    "content/posts/hidden/e.md": "---\ntitle: Post e\ndate: 2024-01-05\n---\nE.\n",
    "content/posts/notes/f.md": "---\ntitle: Own tags\ndate: 2024-01-06\ntags: [own]\nauthor: Self\n---\nF.\n",
    "content/posts/h.md": "---\ndate: 2024-01-08\n---\nUntitled, and Hugo publishes it.\n",
    "content/posts/listed/i.md": "---\ntitle: Post i\ndate: 2024-01-09\n---\nI.\n",
    # Hugo's page template, so its pages show the author each one ends up with
    "layouts/_default/single.html": "<p class=author>{{ .Params.author }}</p>\n",
}


def write_site(root: Path) -> Path:
    (root / "config.toml").parent.mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(CONFIG)
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def hugo_build(site: Path, tmp_path: Path) -> Path:
    """The site built by hugo itself; its public/ folder."""
    assert shutil.which("hugo"), "hugo is missing: run scripts/test-setup (apt-get install hugo)"
    copy = tmp_path / "hugo-build"
    shutil.copytree(site, copy)
    done = subprocess.run(["hugo", "--quiet"], cwd=copy, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return copy / "public"


def hugo_terms(public: Path) -> dict[str, set[str]]:
    """Page link -> its tags and categories, from hugo's own taxonomy feeds."""
    terms: dict[str, set[str]] = {}
    for feed in [*public.glob("tags/*/index.xml"), *public.glob("categories/*/index.xml")]:
        for item in feedparser.parse(feed.read_bytes()).entries:
            terms.setdefault(item.link, set()).add(feed.parent.name)
    return terms


def our_terms(feed: Path) -> dict[str, set[str]]:
    return {e.link: {t.term for t in e.get("tags", [])} for e in feedparser.parse(feed.read_bytes()).entries}


def test_cascade_gives_what_hugo_gives(tmp_path):
    site = write_site(tmp_path / "site")
    public = hugo_build(site, tmp_path)
    theirs = entries(public / "index.xml")
    assert {link for link, _t, _d in theirs.values()} == {
        f"https://hc.example.org/posts/{p}/" for p in ("a", "notes/c", "notes/deep/d", "notes/f", "h", "listed/i")}
    init = syndicator("init", "--from", ".", cwd=site)
    assert init.returncode == 0, init.stdout + init.stderr
    assert re.search(r"\[posts\] cascade\s+2 table\(s\)\s+config.toml: cascade", init.stdout)
    build = syndicator("build", cwd=site)
    assert build.returncode == 0 and " 0 rejected" in build.stdout, build.stdout + build.stderr
    assert "banner" not in build.stderr  # a cascaded key is not the post's unknown key
    feed = site_feed(site, "rss")
    assert entries(feed) == theirs
    assert our_terms(feed) == {link: hugo_terms(public).get(link, set()) for link in our_terms(feed)}
    authors = {e.link: e.get("author") for e in feedparser.parse(feed.read_bytes()).entries}
    for link, author in authors.items():
        page = public / link.removeprefix("https://hc.example.org/") / "index.html"
        assert f"<p class=author>{author}</p>" in page.read_text(), (link, author)
    assert authors["https://hc.example.org/posts/notes/f/"] == "Self"


def test_a_changed_cascade_is_read_again_on_the_next_build(tmp_path):
    """Only an _index.md changes, no post: the next build (incremental or not) still gives every
    post below it what the new cascade says, in every feed."""
    site = write_site(tmp_path / "site")
    assert syndicator("init", "--from", ".", cwd=site).returncode == 0
    assert syndicator("build", cwd=site).returncode == 0
    feed = site_feed(site, "rss")
    assert our_terms(feed)["https://hc.example.org/posts/notes/c/"] == {"notes", "notes-cat"}
    time.sleep(0.05)
    index = site / "content" / "posts" / "notes" / "_index.md"  # inside the posts folder
    index.write_text("---\ntitle: Notes\ncascade:\n  tags: [renamed]\n---\n")
    build = syndicator("build", cwd=site)
    assert build.returncode == 0, build.stderr
    assert our_terms(feed)["https://hc.example.org/posts/notes/c/"] == {"renamed", "general"}
    assert (site / "syndicator-feeds" / "tags" / "renamed").is_dir()
    assert not (site / "syndicator-feeds" / "tags" / "notes").exists()
    home = site / "content" / "_index.md"  # above the posts folder
    home.write_text("---\ntitle: Home\ncascade:\n  author: New Name\n---\n")
    assert syndicator("build", cwd=site).returncode == 0
    authors = {e.link: e.get("author") for e in feedparser.parse(feed.read_bytes()).entries}
    assert authors["https://hc.example.org/posts/a/"] == "New Name"
    (site / "content" / "posts" / "drafts" / "_index.md").unlink()
    assert syndicator("build", cwd=site).returncode == 0
    assert "https://hc.example.org/posts/drafts/g/" in our_terms(feed)  # no draft section above it now
