"""Entry ids by the engine's rule, pinned ids, and where commands find their config."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone

import pytest

from syndicator.config import load
from syndicator.errors import ConfigError
from syndicator.posts.ids import dump_pinned, entry_id, link_key
from syndicator.build.scan import load_posts

WHEN = datetime(2023, 1, 29, 18, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("rule, url, expected", [
    ("permalink", "https://gohugo.io/post/rich-content/", "https://gohugo.io/post/rich-content/"),
    ("jekyll", "https://jekyllrb.com/news/2023/01/29/x-released/", "https://jekyllrb.com/news/2023/01/29/x-released"),
    ("jekyll", "https://ex.org/jekyll/update/2023/01/29/welcome.html", "https://ex.org/jekyll/update/2023/01/29/welcome"),
    ("pelican", "https://ex.org/posts/a-post.html", "tag:ex.org,2023-01-29:/posts/a-post.html"),
    ("tag", "https://ex.org/2023/01/café/", "tag:ex.org,2023-01-29:caf%C3%A9"),
])
def test_rules(rule, url, expected):
    slug = "café" if rule == "tag" else "x"
    assert entry_id(rule, url=url, published=WHEN, slug=slug, tag_authority="ex.org") == expected


def test_pinned_id_wins_and_links_match_as_readers_compare_them():
    pinned = {link_key("http://EX.org/a/index.html"): "urn:old:1"}
    assert entry_id("permalink", url="https://ex.org/a/", published=WHEN, slug="a", tag_authority="x",
                    pinned=pinned) == "urn:old:1"
    assert entry_id("permalink", url="https://ex.org/b/", published=WHEN, slug="b", tag_authority="x",
                    pinned=pinned) == "https://ex.org/b/"


def test_ids_file_pins_ids_in_the_feed_and_front_matter_id_still_wins(site, tmp_path):
    (tmp_path / "ids.toml").write_text(dump_pinned({"https://test.example/2024/01/a/": "old-id-a",
                                                    "https://test.example/2024/01/b/": "old-id-b"},
                                                   header="pinned"))
    site.write_text(site.read_text().replace('author = "ann"', 'author = "ann"\nids = "permalink"\n'
                                             'ids_file = "ids.toml"'))
    for name, extra in (("a", ""), ("b", "id: mine\n"), ("c", "")):
        (tmp_path / "posts" / f"2024-01-0{ord(name) - 96}-{name}.md").write_text(f"---\ntitle: {name}\n{extra}---\nx\n")
    ids = sorted(p.id for p in load_posts(load(site)).posts)
    assert ids == ["https://test.example/2024/01/c/", "mine", "old-id-a"]


def test_unknown_rule_and_broken_ids_file_are_config_errors(site, tmp_path):
    site.write_text(site.read_text().replace('author = "ann"', 'author = "ann"\nids = "permalnk"'))
    with pytest.raises(ConfigError, match="did you mean 'permalink'"):
        load(site)
    site.write_text(site.read_text().replace('ids = "permalnk"', 'ids_file = "ids.toml"'))
    (tmp_path / "ids.toml").write_text("[ids]\nx = 1\n")
    with pytest.raises(ConfigError, match="ids.toml"):
        load(site)


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "syndicator", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_lookup_prefers_syndicator_toml_then_config_toml_with_site(site, tmp_path):
    (tmp_path / "posts" / "2024-01-01-a.md").write_text("---\ntitle: A\n---\nx\n")
    assert run("check", cwd=tmp_path).returncode == 0  # config.toml with [site]
    site.rename(tmp_path / "syndicator.toml")
    (tmp_path / "config.toml").write_text('baseURL = "https://hugo.example/"\ntitle = "Hugo"\n')
    result = run("check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (tmp_path / "syndicator.toml").unlink()
    result = run("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "has no [site] table" in result.stderr and "Traceback" not in result.stderr
    (tmp_path / "config.toml").unlink()
    assert "syndicator init --from ." in run("build", cwd=tmp_path).stderr
