"""The history the incremental-equals-full property tests replay (tests/test_incremental.py,
tests/test_shortlist.py, tests/test_quick_edit.py): posts written, edited, renamed and removed
and the clock moved on, each step built by the way under test and by a build without the cache.

`replay` asserts after every step that both sites' feed folders hold the same bytes and that the
summaries agree; a test passes its own way to build (and may look at each pair of results).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from hypothesis import strategies as st

from syndicator.build import build
from syndicator.config import Config, load
from tests.small_site import site_toml

NOW = datetime(2026, 1, 10, tzinfo=timezone.utc)
TAGS = ["red", "green", "blue", "Red!"]  # "red" and "Red!" share a slug


def post_text(*, title: str, day: int, tags: list[str], author: str, draft: bool, slug: str, body: str,
              expires: int | None = None, extra: str | None = None) -> str:
    """A post file's text; `extra`: a key the reader warns about, or "bad date" (the post is rejected)."""
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
    lambda title, day, tags, author, draft, slug, body, expires, extra: post_text(
        title=title, day=day, tags=tags, author=author, draft=draft, slug=slug, body=body, expires=expires,
        extra=extra),
    title=st.sampled_from(["Alpha", "Beta", "Gamma"]), day=st.integers(1, 20),
    tags=st.lists(st.sampled_from(TAGS), max_size=2), author=st.sampled_from(["ann", "bob"]),
    draft=st.booleans(), slug=st.sampled_from([f"s{i}" for i in range(30)]),
    body=st.sampled_from(["Body one.", "Body two, longer.", "Third body *here*."]),
    expires=st.sampled_from([None, None, None, None, 9, 12, 20]),
    extra=st.sampled_from([None, None, None, "image_credit: someone", "mood: calm", "bad date"]))
# write: a new text (a new date or tags move the post into or out of feeds); append: a line added to
# the body (bench/race.sh's edit); rename: the file moved to another name (its address follows the
# slug, so only the file changes); remove; later: the clock moves on three days.
ACTIONS = ["write", "write", "append", "rename", "remove", "later"]
STEPS = st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 9), POSTS), min_size=1, max_size=6)


def tree(root: Path) -> dict[str, bytes]:
    """Every file below `root` and its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def site_config(base: Path, name: str) -> Config:
    """A site folder of its own (state and feeds) over the shared posts folder: same feed URLs."""
    path = base / name / "config.toml"
    path.parent.mkdir()
    path.write_text(site_toml(items=2, posts=str(base / "posts")), encoding="utf-8")
    return load(path)


def summary(report: Any) -> tuple:
    """What a build reports that does not depend on what the output folder held before."""
    return (report.files, report.published_count, report.drafts, report.future, report.rejected,
            report.next_due, [str(p) for p in report.problems])


def age(paths, seconds: int) -> None:
    """Date files back, as files saved well before the build (racy timestamps are another test)."""
    for path in paths:
        if path.exists():
            stamp = path.stat().st_mtime_ns - seconds * 1_000_000_000
            os.utime(path, ns=(stamp, stamp))


def step(posts: Path, action: str, index: int, text: str) -> list[Path]:
    """Make one step's change in the posts folder; the files it wrote."""
    path = posts / f"p{index}.md"
    if action == "write":
        path.write_text(text, encoding="utf-8")
    elif action == "append" and path.exists():
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("Edited line.\n")
    elif action == "rename" and path.exists():
        moved = posts / f"p{(index + 3) % 10}.md"
        path.rename(moved)
        return [moved]
    elif action == "remove":
        path.unlink(missing_ok=True)
    return [path]


def replay(first: list[str], steps: list[tuple[str, int, str]], *, warm_build: Callable[[Config, datetime], Any],
           judge: Callable[[Any], Any] = summary, observe: Callable[[Any, Any], None] | None = None,
           around: Callable[[], AbstractContextManager[Any]] = nullcontext) -> None:
    """Build posts `first`, then after each of `steps`, with `warm_build` (the way under test, keeping its
    state between builds) and in full without the cache; after each, the same feed bytes and the same
    `judge` of both results. `observe(warm, full)` sees every pair (the first builds' too); `around`:
    a context every build runs in."""
    base = Path(tempfile.mkdtemp(prefix="syndicator-replay-"))
    try:
        posts = base / "posts"
        posts.mkdir()
        for i, text in enumerate(first):
            (posts / f"p{i}.md").write_text(text, encoding="utf-8")
        age(posts.iterdir(), 100)
        warm, cold = site_config(base, "warm"), site_config(base, "cold")
        now = NOW
        with around():
            result, full = warm_build(warm, now), build(cold, now=now, use_cache=False)  # the same history
            if observe:
                observe(result, full)
            for seconds, (action, index, text) in enumerate(steps, start=1):
                if action == "later":
                    now += timedelta(days=3)  # future posts come due, others expire
                age(step(posts, action, index, text), 100 - seconds)  # older than the build, newer than the last
                result, full = warm_build(warm, now), build(cold, now=now, use_cache=False)
                assert tree(base / "warm" / "feeds") == tree(base / "cold" / "feeds")
                assert judge(result) == judge(full), (judge(result), judge(full))
                if observe:
                    observe(result, full)
    finally:
        shutil.rmtree(base, ignore_errors=True)
