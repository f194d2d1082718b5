"""Cross-posting on an adopted blog starts from the existing baseline: adding an endpoint to
the config `init` wrote sends none of the posts the blog already has, only the next one."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import timedelta

from crosspost_helpers import FakeEndpoint, fake_kinds  # noqa: F401

from syndicator import crosspost
from syndicator.build.scan import load_posts
from syndicator.config import load
from tests.conftest import REPO

ENDPOINT = '\n[[endpoints]]\nname = "fake"\ntype = "fake"\ntoken_env = "FAKE_TOKEN"\nmax_age = "5000d"\n'


def test_existing_posts_are_the_baseline_and_a_new_post_is_sent_once(tmp_path, fake_kinds):  # noqa: F811
    site = tmp_path / "blog"
    shutil.copytree(REPO / "tests" / "fixtures" / "blogs" / "eleventy-base-blog", site)
    init = subprocess.run([sys.executable, "-m", "syndicator", "init", "--from", "."], cwd=site,
                          capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    config_path = site / "syndicator.toml"
    config_path.write_text(config_path.read_text() + ENDPOINT)  # max_age wide: only the baseline holds them back
    config = load(config_path)
    posts = load_posts(config).posts
    assert len(posts) >= 4
    now = max(p.published for p in posts) + timedelta(hours=1)
    first = crosspost.run(config, posts, now=now, sleep=lambda s: None)
    assert FakeEndpoint.sent == []
    assert sorted(pid for pid, _name, why in first.skipped if why.startswith("existed before")) == \
        sorted(p.id for p in posts if p.is_published(now))  # fifthpost.md is a draft (its ---js says so)
    (site / "content" / "blog" / "sixthpost.md").write_text(
        f"---\ntitle: A new post\ndate: {now.date().isoformat()}\n---\nWritten after the move.\n")
    posts = load_posts(config).posts
    crosspost.run(config, posts, now=now + timedelta(days=1), sleep=lambda s: None)
    crosspost.run(config, posts, now=now + timedelta(days=2), sleep=lambda s: None)
    assert [pid for _name, pid, _key in FakeEndpoint.sent] == ["https://example.com/blog/sixthpost/"]
