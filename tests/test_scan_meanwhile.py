"""A full build opens its manifest while its workers parse (scan's `meanwhile`): after the fork, in the
build's process only, once; a build too small to fork opens it all the same; the feeds are the same."""

from __future__ import annotations

import os
import threading
from datetime import datetime, timezone

import pytest

import syndicator.build.pipeline as pipeline
from syndicator.build import build
from syndicator.build.crew import Crew
from syndicator.config import load
from tests.small_site import site_toml

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
_CAN_FORK = (os.cpu_count() or 1) > 1 and threading.active_count() == 1


def _site(tmp_path, count):
    (tmp_path / "config.toml").write_text(site_toml(items=5), encoding="utf-8")
    posts = tmp_path / "posts"
    posts.mkdir()
    for n in range(count):
        posts.joinpath(f"p{n:03d}.md").write_text(f"---\ntitle: Post {n}\ndate: 2024-05-{1 + n % 28:02d}\n"
                                                  f"tags: [t{n % 5}]\n---\nBody {n}.\n", encoding="utf-8")
    return load(tmp_path / "config.toml")


@pytest.mark.parametrize("count", [12, 450])
def test_the_manifest_is_opened_once_the_workers_parse(tmp_path, monkeypatch, count):
    config = _site(tmp_path, count)
    events = []
    real_start, real_manifest = Crew.start, pipeline.Manifest

    def start(self):
        forked = real_start(self)
        events.append(("forked", forked))
        return forked

    def manifest(*args, **options):
        events.append(("manifest", os.getpid()))
        return real_manifest(*args, **options)

    monkeypatch.setattr(Crew, "start", start)
    monkeypatch.setattr(pipeline, "Manifest", manifest)
    report = build(config, now=NOW)
    assert report.published_count == count and not report.problems
    opened = [event for event in events if event[0] == "manifest"]
    assert opened[0] == ("manifest", os.getpid())  # here, not in a worker
    if count >= 400 and _CAN_FORK:
        assert events.index(("forked", True)) < events.index(opened[0])
    else:
        assert ("forked", True) not in events
    assert (config.feeds.output / "rss.xml").is_file()
