"""Golden files: the example site's feeds, byte for byte. Review changes as diffs, then
regenerate with `pytest tests/test_golden.py --update-golden`."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone

from syndicator.build import build
from syndicator.config import load
from tests.conftest import REPO

GOLDEN = REPO / "tests" / "golden"
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)  # after every example post but the scheduled one


def _example(tmp_path):
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    shutil.copytree(REPO / "posts", tmp_path / "posts")
    return load(tmp_path / "config.toml")


def _tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_example_site_matches_golden_files(tmp_path, update_golden):
    config = _example(tmp_path)
    report = build(config, now=NOW)
    assert report.problems == [] and len(report.published) == 5
    produced = _tree(config.feeds.output)
    if update_golden:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, data in produced.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(data)
    expected = _tree(GOLDEN)
    assert sorted(produced) == sorted(expected)
    for rel in expected:
        assert produced[rel] == expected[rel], f"{rel} differs from tests/golden/{rel}"


def test_example_site_build_is_deterministic_across_runs(tmp_path):
    config = _example(tmp_path)
    build(config, now=NOW, use_cache=False)
    first = _tree(config.feeds.output)
    shutil.rmtree(config.feeds.output)
    build(config, now=NOW, use_cache=False)
    assert _tree(config.feeds.output) == first
