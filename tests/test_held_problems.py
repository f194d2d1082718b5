"""A full scan keeps the post files' problems apart from their entries, as compressed bytes per task, and
the report reads them back (issue 12: 200,000 warnings as Problems held 27 MB of a 100,000-post build):
the same problems in the same order as the entries holding them gave."""

from __future__ import annotations

import os
import random
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.build import build
from syndicator.build.cache import Cache, dumps
from syndicator.build.parsed import Parsed
from syndicator.build.problem_lines import problem_lines
from syndicator.build.report import HeldProblems
from syndicator.config import load
from syndicator.posts.loader import index_entries
from syndicator.posts.problem import Problem
from tests.small_site import site_toml

_MESSAGES = st.sampled_from(["unknown front matter key 'image_credit'", "bad date", "é\x00", ""])


@st.composite
def _scans(draw):
    """Entries with problems, cut into consecutive tasks (or any tasks), answered in any order; rejections."""
    rels = sorted(draw(st.sets(st.text("abcé/._-", min_size=1, max_size=6), max_size=40)))
    entries = {}
    for rel in rels:
        problems = tuple(Problem(f"posts/{rel}", draw(st.integers(0, 9)), draw(_MESSAGES),
                                 draw(st.sampled_from(["warning", "error"]))) for _ in range(draw(st.integers(0, 3))))
        entries[rel] = (len(rel), 7, None, problems)
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(rels) - 1)), max_size=6))) if rels else []
    tasks = [rels[a:b] for a, b in zip([0, *cuts], [*cuts, len(rels)]) if rels[a:b]]
    if draw(st.booleans()) and len(rels) > 2:  # a failed worker's files parsed again in new tasks: interleaved
        order = draw(st.permutations(rels))
        tasks = [sorted(order[:len(order) // 2]), sorted(order[len(order) // 2:])]
    tasks = draw(st.permutations(tasks))
    rejected = sorted(draw(st.sets(st.sampled_from(rels), max_size=3))) if rels else []
    return entries, tasks, [Problem(f"posts/{rel}", 1, "duplicate id") for rel in rejected]


@settings(max_examples=150, deadline=None)
@given(scan=_scans(), notes=st.lists(st.builds(Problem, st.just("posts"), st.just(0), _MESSAGES), max_size=2),
       tail=st.lists(st.builds(Problem, st.just("posts/x"), st.just(3), _MESSAGES), max_size=2))
def test_problems_kept_apart_read_back_as_the_entries_gave_them(scan, notes, tail):
    entries, tasks, rejections = scan
    parsed = Parsed({}, {}, None, len(entries), hold=True)
    for task in tasks:
        parsed.take(dumps([(rel, entries[rel]) for rel in task], {}), [], task[:1])  # a worker stored it
    assert parsed.entries == {rel: entry[:3] + ((),) for rel, entry in entries.items()}
    own = [p for rel in sorted(entries) for p in entries[rel][3]]
    expected = notes + sorted(own + rejections, key=lambda p: p.path) + tail  # index_entries' stable sort
    batches, count = parsed.held()
    held = HeldProblems(notes, batches, count, merged=rejections) + tail
    assert list(held) == expected and len(held) == len(expected) and list(held) == expected  # read twice
    assert held == expected and held[1:] == expected[1:] and list(held) == expected  # decoded once, then kept
    assert list([Problem("w", 0, "walk")] + HeldProblems(notes, batches, count)) == \
        [Problem("w", 0, "walk")] + notes + own
    assert problem_lines(HeldProblems(notes, batches, count, merged=rejections)) == \
        problem_lines(notes + sorted(own + rejections, key=lambda p: p.path))


def test_a_full_scan_of_300_posts_reports_the_problems_its_entries_hold(tmp_path):
    (tmp_path / "config.toml").write_text(site_toml(items=5), encoding="utf-8")
    posts = tmp_path / "posts"
    posts.mkdir()
    rng = random.Random(12)
    for n in range(300):
        extra = "".join(f"image_credit{k}: x\n" for k in range(rng.randrange(3)))
        date = "not a date" if n % 97 == 5 else f"2024-01-{1 + n % 28:02d}"
        same = 'id: "tag:shared"\n' if n in (10, 11) else ""
        posts.joinpath(f"p{n:03d}.md").write_text(f"---\ntitle: Post {n}\ndate: {date}\n{extra}{same}---\nBody {n}.\n",
                                                  encoding="utf-8")
        os.utime(posts / f"p{n:03d}.md", (1_700_000_000, 1_700_000_000))  # long before the scan: trusted
    config = load(tmp_path / "config.toml")
    report = build(config, now=datetime(2025, 1, 1, tzinfo=timezone.utc))
    assert isinstance(report.problems, HeldProblems)
    cache = Cache(config.state_dir / "cache.sqlite", config.fingerprint, config.authors)
    try:
        whole = cache.entries()  # the snapshot keeps each entry's problems, as the tasks pickled them
    finally:
        cache.close()
    _stubs, expected = index_entries(config, whole)
    assert list(report.problems) == expected and len(report.problems) == len(expected)
    assert {p.severity for p in expected} == {"warning", "error"}
    assert sum(p.message.startswith("duplicate") for p in expected) == 1 and report.rejected == 5  # 4 bad dates, 1 duplicate
    again = build(config, now=datetime(2025, 1, 1, tzinfo=timezone.utc), brief=True)  # from the record
    assert again.from_record and problem_lines(again.problems) == problem_lines(expected)
    assert list(again.problems) == expected


@settings(max_examples=100, deadline=None)
@given(rels=st.lists(st.text("abcé/._-", min_size=1, max_size=6), unique=True, max_size=20),
       moved=st.sets(st.integers(0, 19)), cut=st.integers(1, 5), stubs=st.booleans())
def test_answers_share_the_walks_paths_and_equal_what_came(rels, moved, cut, stubs):
    from syndicator.posts.loader import Stub

    rels = sorted(f"posts-{rel}" for rel in rels)  # (one-letter strings are shared by Python anyway)
    walked = {rel: (len(rel) + 1000, 1_800_000_000_000_000_000 + n) for n, rel in enumerate(rels)}
    came = {rel: (walked[rel][0] + (n in moved), walked[rel][1], Stub(rel, f"tag:{rel}", f"https://s/{rel}/", rel,
                                                                      1.0, False, (), (), (), "d") if stubs else None,
                  (Problem(f"posts/{rel}", 1, "x", "warning"),)) for n, rel in enumerate(rels)}
    tasks = [rels[i:i + cut] for i in range(0, len(rels), cut)]
    parsed = Parsed({}, {}, None, len(rels), tasks=[list(t) for t in tasks[1:]] + [["elsewhere"]])
    for task in tasks:  # the first task was not handed out as such (a failed worker's files): taken as it came
        parsed.take(dumps([(rel, came[rel]) for rel in task], {}), [], task[:1])  # a worker stored it
    assert parsed.entries == came and list(parsed.entries) == rels
    keys = {key: key for key in parsed.entries}
    for n, rel in enumerate(rels):
        entry, shared = parsed.entries[rel], rel not in tasks[0]
        walk_key = next(k for k in walked if k == rel)
        assert (keys[rel] is walk_key) == shared and (entry[2] is None or (entry[2].source is walk_key) == shared)
        assert entry[:2] == came[rel][:2] and entry[1] is not walked[rel][1]  # the answer's own ints
        assert entry[2] is None or type(entry[2]) is Stub
