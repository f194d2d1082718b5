"""The lean edit path (build/edit.py): an edit that changes no feed file is built without rendering,
leaves the same feeds and report as a full build, and a build killed before its record vouches for nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from syndicator.build import build
from syndicator.build.cache import Cache
from tests.test_incremental import NOW, _age, _config, _post, _summary, _tree

OLD, NEW = 1, 10  # days of January (before NOW, the 10th): with items = 2 the oldest post is in no feed's newest two


def _site(tmp_path: Path, count: int = 8) -> Path:
    posts = tmp_path / "posts"
    posts.mkdir()
    for i in range(count):
        day = OLD if i == 0 else NEW - i
        (posts / f"p{i}.md").write_text(_post(title=f"T{i}", day=day, tags=["red"], author="ann", draft=False,
                                              slug=f"s{i}", body="Body."), encoding="utf-8")
    _age(posts.iterdir(), 100)
    return posts


def _edit_old(posts: Path, text: str = "Edited body.") -> None:
    (posts / "p0.md").write_text(_post(title="T0 edited", day=OLD, tags=["red"], author="ann", draft=False,
                                       slug="s0", body=text), encoding="utf-8")
    _age([posts / "p0.md"], 50)


def test_an_edit_no_feed_shows_renders_nothing_and_matches_a_full_build(tmp_path):
    posts = _site(tmp_path)
    warm, cold = _config(tmp_path, "warm"), _config(tmp_path, "cold")
    build(warm, now=NOW, brief=True)
    _edit_old(posts)
    report = build(warm, now=NOW, brief=True)
    assert report.incremental and report.read_again == ("p0.md",)
    assert "render" not in report.timings and report.written == [] and report.unchanged > 0
    full = build(cold, now=NOW, use_cache=False)
    assert _tree(tmp_path / "warm" / "feeds") == _tree(tmp_path / "cold" / "feeds")
    assert _summary(report) == _summary(full)
    again = build(warm, now=NOW, brief=True)  # it left a record: nothing changed since
    assert again.from_record and _summary(again) == _summary(full)
    _edit_old(posts, "Edited twice.")  # and a warm state the next edit starts from
    assert "render" not in build(warm, now=NOW, brief=True).timings


def test_an_edit_that_moves_a_post_into_a_feed_is_rendered(tmp_path):
    posts = _site(tmp_path)
    warm, cold = _config(tmp_path, "warm"), _config(tmp_path, "cold")
    build(warm, now=NOW, brief=True)
    (posts / "p0.md").write_text(_post(title="Now the newest", day=NEW - 1, tags=["red"], author="ann",
                                       draft=False, slug="s0", body="Body."), encoding="utf-8")
    _age([posts / "p0.md"], 50)
    report = build(warm, now=NOW, brief=True)
    assert report.incremental and "render" in report.timings and report.written
    build(cold, now=NOW, use_cache=False)
    assert _tree(tmp_path / "warm" / "feeds") == _tree(tmp_path / "cold" / "feeds")


def test_an_output_file_changed_by_hand_is_written_again(tmp_path):
    posts = _site(tmp_path)
    warm, cold = _config(tmp_path, "warm"), _config(tmp_path, "cold")
    build(warm, now=NOW, brief=True)
    (tmp_path / "warm" / "feeds" / "rss.xml").write_text("<rss>mine</rss>", encoding="utf-8")
    _edit_old(posts)
    report = build(warm, now=NOW, brief=True)
    assert "render" in report.timings  # not the lean path: the pipeline puts the file back
    build(cold, now=NOW, use_cache=False)
    assert _tree(tmp_path / "warm" / "feeds") == _tree(tmp_path / "cold" / "feeds")


def test_a_build_killed_before_its_record_leaves_none_and_the_next_build_is_right(tmp_path, monkeypatch):
    posts = _site(tmp_path)
    warm, cold = _config(tmp_path, "warm"), _config(tmp_path, "cold")
    build(warm, now=NOW, brief=True)
    _edit_old(posts)

    def killed(self, data, token=""):
        raise KeyboardInterrupt("killed before the record was written")

    with monkeypatch.context() as patch:
        patch.setattr(Cache, "put_last_build", killed)
        with pytest.raises(KeyboardInterrupt):
            build(warm, now=NOW, brief=True)
    _edit_old(posts, "Edited after the kill.")
    report = build(warm, now=NOW, brief=True)
    assert not report.from_record and not report.incremental  # no record: it ran in full
    full = build(cold, now=NOW, use_cache=False)
    assert _tree(tmp_path / "warm" / "feeds") == _tree(tmp_path / "cold" / "feeds")
    assert _summary(report) == _summary(full)


def test_the_edit_path_loads_neither_the_pipeline_nor_the_renderers(tmp_path):
    """What makes `syndicator build` after such an edit quick: measured as modules loaded, in a fresh process."""
    posts = _site(tmp_path)
    warm = _config(tmp_path, "warm")
    build(warm, now=NOW, brief=True)
    _edit_old(posts)
    script = (
        "import json, sys\n"
        "from datetime import datetime, timezone\n"
        "from syndicator.build import build\n"
        "from syndicator.config import load\n"
        f"config = load({str(tmp_path / 'warm' / 'config.toml')!r})\n"
        "report = build(config, now=datetime(2026, 1, 10, tzinfo=timezone.utc), brief=True)\n"
        "print(json.dumps([report.incremental, sorted(m for m in sys.modules if m.startswith("
        "('syndicator.build.pipeline', 'syndicator.build.emit', 'syndicator.build.scan', "
        "'syndicator.build.write', 'syndicator.render', 'lxml')))]))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.splitlines()[-1]) == [True, []]
