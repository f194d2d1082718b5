"""An incremental build (a few post files changed, planned from the last build's warm state) writes
exactly what a full build without the cache writes, reports the same, and leaves state a later
build agrees with (issue 12)."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from syndicator.build import build
from syndicator.build.incremental import published_after
from syndicator.config import load

NOW = datetime(2026, 1, 10, tzinfo=timezone.utc)
CONFIG = """
[site]
title = "Test Site"
url = "https://test.example/"
timezone = "UTC"
author = "ann"
posts = "{posts}"

[authors.ann]
name = "Ann Author"

[authors.bob]
name = "Bob Builder"

[feeds]
output = "feeds"
items = 2
per_tag = true
per_category = true
per_author = true
"""
TAGS = ["red", "green", "blue", "Red!"]  # "red" and "Red!" share a slug


def _post(*, title: str, day: int, tags: list[str], author: str, draft: bool, slug: str, body: str,
          expires: int | None = None, extra: str | None = None) -> str:
    date = "the day after tomorrow" if extra == "bad date" else f"2026-01-{day:02d}T10:00:00Z"  # rejected
    lines = ["---", f"title: {title}", f"date: {date}", f"tags: [{', '.join(tags)}]",
             f"categories: [{'odd' if day % 2 else 'even'}]", f"author: {author}", f"slug: {slug}"]
    if draft:
        lines.append("draft: true")
    if expires is not None:
        lines.append(f"expiryDate: 2026-01-{expires:02d}T10:00:00Z")
    if extra and extra != "bad date":
        lines.append(extra)  # a key the reader warns about
    return "\n".join(lines + ["---", body, ""])


POSTS = st.builds(
    lambda title, day, tags, author, draft, slug, body, expires, extra: _post(
        title=title, day=day, tags=tags, author=author, draft=draft, slug=slug, body=body, expires=expires,
        extra=extra),
    title=st.sampled_from(["Alpha", "Beta", "Gamma"]), day=st.integers(1, 20),
    tags=st.lists(st.sampled_from(TAGS), max_size=2), author=st.sampled_from(["ann", "bob"]),
    draft=st.booleans(), slug=st.sampled_from([f"s{i}" for i in range(30)]),
    body=st.sampled_from(["Body one.", "Body two, longer.", "Third body *here*."]),
    expires=st.sampled_from([None, None, None, None, 9, 12, 20]),
    extra=st.sampled_from([None, None, None, "image_credit: someone", "mood: calm", "bad date"]))
STEPS = st.lists(st.tuples(st.sampled_from(["write", "remove", "later"]), st.integers(0, 9), POSTS),
                 min_size=1, max_size=6)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _config(base: Path, name: str):
    """A site folder of its own (state and feeds) over the shared posts folder: same feed URLs."""
    path = base / name / "config.toml"
    path.parent.mkdir()
    path.write_text(CONFIG.format(posts=base / "posts"), encoding="utf-8")
    return load(path)


def _summary(report) -> tuple:
    return (report.files, report.published_count, report.drafts, report.future, report.rejected,
            report.next_due, [str(p) for p in report.problems])


def _age(paths, seconds: int) -> None:
    """Date files back, as files saved well before the build (racy timestamps are another test)."""
    for path in paths:
        if path.exists():
            stamp = path.stat().st_mtime_ns - seconds * 1_000_000_000
            os.utime(path, ns=(stamp, stamp))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])
@given(first=st.lists(POSTS, min_size=1, max_size=8), steps=STEPS)
def test_incremental_builds_equal_full_builds(first, steps):
    base = Path(tempfile.mkdtemp(prefix="syndicator-incremental-"))
    try:
        posts = base / "posts"
        posts.mkdir()
        for i, text in enumerate(first):
            (posts / f"p{i}.md").write_text(text, encoding="utf-8")
        _age(posts.iterdir(), 100)
        warm, cold = _config(base, "warm"), _config(base, "cold")
        now = NOW
        report = build(warm, now=now, brief=True)
        build(cold, now=now, use_cache=False)  # the same history of what was published
        published = list(report.published)
        for age, (action, index, text) in enumerate(steps, start=1):
            path = posts / f"p{index}.md"
            if action == "write":
                path.write_text(text, encoding="utf-8")
            elif action == "remove":
                path.unlink(missing_ok=True)
            else:
                now += timedelta(days=3)  # future posts come due, others expire
            _age([path], 100 - age)  # older than the build, newer than the last step's
            report = build(warm, now=now, brief=True)
            full = build(cold, now=now, use_cache=False)
            event(f"incremental={report.incremental} from_record={report.from_record} "
                  f"rendered={'render' in report.timings}")
            assert _tree(base / "warm" / "feeds") == _tree(base / "cold" / "feeds")
            assert _summary(report) == _summary(full), (_summary(report), _summary(full))
            if report.incremental:
                published = published_after(published, report)
            elif not report.from_record:
                published = list(report.published)
            assert [s.source for s in published] == [s.source for s in full.published]
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_one_edited_post_is_planned_incrementally_and_matches_a_full_build(tmp_path):
    posts = tmp_path / "posts"
    posts.mkdir()
    for i in range(12):
        (posts / f"p{i}.md").write_text(_post(title=f"T{i}", day=i % 9 + 1, tags=[TAGS[i % 3]], author="ann",
                                              draft=False, slug=f"s{i}", body="Body."), encoding="utf-8")
    _age(posts.iterdir(), 100)
    warm, cold = _config(tmp_path, "warm"), _config(tmp_path, "cold")
    assert not build(warm, now=NOW, brief=True).incremental  # the first build runs in full
    (posts / "p11.md").write_text(_post(title="Edited", day=9, tags=["blue"], author="bob", draft=False,
                                        slug="s11", body="New body."), encoding="utf-8")
    _age([posts / "p11.md"], 50)
    report = build(warm, now=NOW, brief=True)
    assert report.incremental and report.read_again == ("p11.md",)
    assert [s.source for s in report.published] == ["p11.md"]
    build(cold, now=NOW, use_cache=False)
    assert _tree(tmp_path / "warm" / "feeds") == _tree(tmp_path / "cold" / "feeds")
    assert "Edited" in (tmp_path / "warm" / "feeds" / "rss.xml").read_text(encoding="utf-8")
    assert report.written  # the site feed, tag and author feeds it is in, and the index page


def test_a_claim_on_another_posts_address_runs_in_full(tmp_path):
    posts = tmp_path / "posts"
    posts.mkdir()
    for i in range(3):
        (posts / f"p{i}.md").write_text(_post(title=f"T{i}", day=i + 1, tags=[], author="ann", draft=False,
                                              slug=f"s{i}", body="Body."), encoding="utf-8")
    _age(posts.iterdir(), 100)
    warm, cold = _config(tmp_path, "warm"), _config(tmp_path, "cold")
    build(warm, now=NOW, brief=True)
    (posts / "p2.md").write_text(_post(title="T2", day=1, tags=[], author="ann", draft=False, slug="s0",
                                       body="Body."), encoding="utf-8")  # now p0's address, and same month
    _age([posts / "p2.md"], 50)
    report = build(warm, now=NOW, brief=True)
    assert not report.incremental and report.rejected == 1
    full = build(cold, now=NOW, use_cache=False)
    assert _summary(report) == _summary(full), (_summary(report), _summary(full))
    assert _tree(tmp_path / "warm" / "feeds") == _tree(tmp_path / "cold" / "feeds")


def test_a_future_post_that_expires_before_its_date_ends_the_records_answer_at_its_expiry(tmp_path):
    """Found by the property test: the record held until the post's date, so the count of drafts was stale."""
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "p0.md").write_text(_post(title="T", day=13, tags=[], author="ann", draft=False, slug="s0",
                                       body="Body.", expires=12), encoding="utf-8")
    _age(posts.iterdir(), 100)
    warm = _config(tmp_path, "warm")
    first = build(warm, now=NOW, brief=True)
    assert (first.future, first.drafts) == (1, 0)
    assert first.next_due == datetime(2026, 1, 12, 10, tzinfo=timezone.utc)
    after = build(warm, now=datetime(2026, 1, 12, 11, tzinfo=timezone.utc), brief=True)
    assert not after.from_record and (after.future, after.drafts) == (0, 1)


def test_a_feed_that_runs_out_of_its_reserve_is_planned_in_full(tmp_path):
    """items = 2, so each feed keeps its 4 newest posts: removing 3 of them leaves fewer than it shows."""
    posts = tmp_path / "posts"
    posts.mkdir()
    for i in range(7):
        (posts / f"p{i}.md").write_text(_post(title=f"T{i}", day=i + 1, tags=["red"], author="ann", draft=False,
                                              slug=f"s{i}", body="Body."), encoding="utf-8")
    _age(posts.iterdir(), 100)
    warm, cold = _config(tmp_path, "warm"), _config(tmp_path, "cold")
    build(warm, now=NOW, brief=True)
    kinds = []
    for i in (6, 5, 4):  # the newest first
        (posts / f"p{i}.md").unlink()
        report = build(warm, now=NOW, brief=True)
        kinds.append(report.incremental)
        build(cold, now=NOW, use_cache=False)
        assert _tree(tmp_path / "warm" / "feeds") == _tree(tmp_path / "cold" / "feeds")
    assert kinds == [True, True, False]  # the third removal leaves the stored 4 with 1
    assert [s.source for s in build(cold, now=NOW, use_cache=False).published][:2] == ["p3.md", "p2.md"]
