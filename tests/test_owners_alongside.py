"""A full build records who owns each published id and address in a child process while the posts
render (build/emit.py `alongside`); a later build's claims see it, and a child that dies only
moves the work back into the build's own process."""

from __future__ import annotations

import os
import signal
import threading
from datetime import datetime, timezone
from unittest import mock

import pytest

import syndicator.build.pipeline as pipeline
from syndicator.build import build
from syndicator.build.manifest import Manifest
from syndicator.config import load

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
_CAN_FORK = (os.cpu_count() or 1) > 1 and threading.active_count() == 1


def _claims(site, write_post, record):
    """Publish d.md with id my-id; then c.md, dated earlier, claims it: history keeps it with d.md."""
    write_post("d.md", "---\ntitle: D\ndate: 2024-03-02\nid: my-id\n---\nx\n")
    config = load(site)
    with record:
        build(config, now=NOW)
    manifest = Manifest(config.state_dir / "output.sqlite", config.feeds.output)
    try:
        owners = manifest.owners()
    finally:
        manifest.close()
    write_post("c.md", "---\ntitle: C\ndate: 2024-03-01\nid: my-id\n---\nx\n")
    report = build(config, now=NOW)
    return owners, [str(p) for p in report.problems]


@pytest.mark.skipif(not _CAN_FORK, reason="needs two cores and no other threads to fork")
def test_owners_recorded_alongside_decide_a_later_claim(site, write_post):
    parent = os.getpid()
    real = pipeline._record_owners

    def recorded(*args):
        with open(site.parent / "pid", "w", encoding="utf-8") as out:
            out.write(str(os.getpid()))
        return real(*args)

    owners, problems = _claims(site, write_post, mock.patch.object(pipeline, "_record_owners", recorded))
    assert int((site.parent / "pid").read_text()) != parent  # a child process did it
    assert owners[("id", "my-id")] == "d.md"
    assert problems == ["posts/c.md:1: duplicate id 'my-id': already the id of posts/d.md, which keeps it; posts/c.md is skipped"]


def test_a_child_that_dies_leaves_the_owners_to_the_build(site, write_post):
    parent = os.getpid()
    real = pipeline._record_owners

    def dies(*args):
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args)

    owners, problems = _claims(site, write_post, mock.patch.object(pipeline, "_record_owners", dies))
    assert owners[("id", "my-id")] == "d.md"
    assert problems == ["posts/c.md:1: duplicate id 'my-id': already the id of posts/d.md, which keeps it; posts/c.md is skipped"]
