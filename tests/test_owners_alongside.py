"""A full build records who owns each published id and address in another thread while the posts
render (build/emit.py `alongside`); a later build's claims see it, and a failure there only moves
the work back into the build's main thread."""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from unittest import mock

import syndicator.build.pipeline as pipeline
from syndicator.build import build
from syndicator.build.manifest import Manifest
from syndicator.config import load

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


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


def test_owners_recorded_alongside_decide_a_later_claim(site, write_post):
    main = threading.get_ident()
    threads = []
    real = pipeline._record_owners

    def recorded(*args):
        threads.append(threading.get_ident())
        return real(*args)

    owners, problems = _claims(site, write_post, mock.patch.object(pipeline, "_record_owners", recorded))
    assert threads and main not in threads  # another thread did it
    assert owners[("id", "my-id")] == "d.md"
    assert problems == ["posts/c.md:1: duplicate id 'my-id': already the id of posts/d.md, which keeps it; posts/c.md is skipped"]


def test_a_failure_aside_leaves_the_owners_to_the_build(site, write_post):
    main = threading.get_ident()
    calls = []
    real = pipeline._record_owners

    def fails(*args):
        calls.append(threading.get_ident())
        if threading.get_ident() != main:
            raise OSError("disk full")
        return real(*args)

    owners, problems = _claims(site, write_post, mock.patch.object(pipeline, "_record_owners", fails))
    assert calls[0] != main and main in calls  # tried aside, then done by the build itself
    assert owners[("id", "my-id")] == "d.md"
    assert problems == ["posts/c.md:1: duplicate id 'my-id': already the id of posts/d.md, which keeps it; posts/c.md is skipped"]
