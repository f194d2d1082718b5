"""A full scan sums up each batch of problems as it comes in (build/problem_tally.py), and the build's end
answers from those tallies: the rejected files, the summarised lines and the record's encoded problems
are those of the problems themselves, read one by one (the slow path they replace)."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.build import build
from syndicator.build.cache import dumps
from syndicator.build.parsed import Parsed
from syndicator.build.pipeline import _error_paths
from syndicator.build.problem_lines import problem_lines
from syndicator.build.problem_tally import ProblemTally, joined, lines
from syndicator.build.report import BuildReport, HeldProblems, problem_bytes, problem_tuples
from syndicator.build.unchanged import Record, record
from syndicator.config import load
from syndicator.posts.problem import Problem
from tests.small_site import site_toml

_MESSAGES = st.sampled_from(["unknown front matter key 'image_credit'", "bad date", "é\x00", ""])
_SEVERITIES = st.sampled_from(["warning", "warning", "error", "note"])
_PROBLEMS = st.builds(Problem, st.sampled_from(["posts/a", "posts/b", "posts/é"]), st.integers(0, 9), _MESSAGES,
                      _SEVERITIES)


@settings(max_examples=300, deadline=None)
@given(problems=st.lists(_PROBLEMS, max_size=40), cuts=st.sets(st.integers(0, 40), max_size=6))
def test_tallies_of_batches_one_after_another_give_the_lines_of_all_the_problems(problems, cuts):
    """Any list cut anywhere into batches: their tallies' lines are problem_lines() of the whole list, and
    the tallies joined are the whole list's tally (its error paths the files with an error)."""
    bounds = sorted({0, len(problems), *(c for c in cuts if c <= len(problems))})
    batches = [problems[a:b] for a, b in zip(bounds, bounds[1:])]
    tallies = [ProblemTally.of(batch) for batch in batches]
    assert lines(tallies) == problem_lines(problems)
    whole, one = joined(tallies), ProblemTally.of(problems)
    assert whole == one and list(whole.warnings) == list(one.warnings)  # the messages in the same order too
    assert whole.error_paths == {p.path for p in problems if p.severity == "error"}


@st.composite
def _scans(draw):
    """Entries with problems cut into consecutive tasks (or, as after a failed worker, interleaved ones),
    answered in any order; the walk's notes, rejections merged by path, and problems after them."""
    rels = sorted(draw(st.sets(st.text("abcé/._-", min_size=1, max_size=6), max_size=40)))
    entries = {}
    for rel in rels:
        problems = tuple(Problem(f"posts/{rel}", draw(st.integers(0, 9)), draw(_MESSAGES), draw(_SEVERITIES))
                         for _ in range(draw(st.integers(0, 4))))
        entries[rel] = (len(rel), 7, None, problems)
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(rels) - 1)), max_size=6))) if rels else []
    tasks = [rels[a:b] for a, b in zip([0, *cuts], [*cuts, len(rels)]) if rels[a:b]]
    if draw(st.booleans()) and len(rels) > 2:
        order = draw(st.permutations(rels))
        tasks = [sorted(order[:len(order) // 2]), sorted(order[len(order) // 2:])]
    tasks = draw(st.permutations(tasks))
    merged = sorted(draw(st.sets(st.sampled_from(rels), max_size=3))) if rels and draw(st.booleans()) else []
    notes = draw(st.lists(st.builds(Problem, st.just("posts"), st.just(0), _MESSAGES, _SEVERITIES), max_size=2))
    tail = draw(st.lists(st.builds(Problem, st.just("posts/x"), st.just(3), _MESSAGES, _SEVERITIES), max_size=2))
    return entries, tasks, [Problem(f"posts/{rel}", 1, "duplicate id") for rel in merged], notes, tail


@settings(max_examples=300, deadline=None)
@given(scan=_scans(), verbose=st.booleans(), handed=st.booleans())
def test_a_full_scans_problems_answer_from_their_tallies_as_read_one_by_one(scan, verbose, handed):
    entries, tasks, merged, notes, tail = scan
    # the tasks handed out in path order (else: answers to tasks not handed out, as a failed worker's files)
    parsed = Parsed({}, {}, None, len(entries), hold=True, tasks=sorted(tasks) if handed else ())
    for task in tasks:  # answered in any order
        parsed.take(dumps([(rel, entries[rel]) for rel in task], {}), [], task[:1])  # a worker stored it
    batches, count = parsed.held()
    held = notes + HeldProblems([], batches, count, merged=merged, tally=parsed.tally()) + tail
    slow = list(held)  # the problems, decoded one by one
    assert problem_lines(held, verbose=verbose) == problem_lines(slow, verbose=verbose)
    assert problem_tuples(held.encoded()) == [tuple(p) for p in slow]
    assert _error_paths(held) == {p.path for p in slow if p.severity == "error"}
    ranges = sorted((paths[0], paths[-1], task[0]) for task in tasks
                    if (paths := [p.path for rel in task for p in entries[rel][3]]))
    interleaved = any(one[1] >= two[0] for one, two in zip(ranges, ranges[1:])) or \
        [first for _low, _high, first in ranges] != sorted(first for _low, _high, first in ranges)  # or out of order
    made = held.tallies()
    assert (made is None) == (bool(merged) or interleaved or (not handed and bool(tasks)))  # wherever it can be


def test_a_record_of_held_problems_reads_back_as_one_of_the_problems_themselves():
    problems = [Problem(f"posts/p{n:02d}.md", n, "unknown front matter key 'x'", "warning") for n in range(9)]
    tallied = HeldProblems([], [problem_bytes(problems[:4]), problem_bytes(problems[4:])], 9,
                           tally=joined([ProblemTally.of(problems[:4]), ProblemTally.of(problems[4:])]))
    for problems_as in (tallied, problems):
        made = record(BuildReport(files=9, problems=problems_as), files={}, scan_started_ns=1, outputs={}, key="k")
        left = Record.loads(made.dumps())
        assert list(left.reported()) == problems and left.shown == tuple(problem_lines(problems))


def test_a_cold_build_reports_what_its_posts_problems_say(tmp_path):
    """Through a whole build: errors and warnings in 520 files (a full scan on two workers), none rejected
    for a claim, so the tallies answer; the report's count and lines are those of its problems."""
    (tmp_path / "config.toml").write_text(site_toml(items=5), encoding="utf-8")
    posts = tmp_path / "posts"
    posts.mkdir()
    for n in range(520):
        extra = "image_credit: x\n" if n % 3 else ""
        date = "not a date" if n % 101 == 7 else f"2024-02-{1 + n % 28:02d}"
        posts.joinpath(f"p{n:03d}.md").write_text(f"---\ntitle: Post {n}\ndate: {date}\n{extra}---\nBody.\n",
                                                  encoding="utf-8")
    report = build(load(tmp_path / "config.toml"), now=datetime(2025, 1, 1, tzinfo=timezone.utc))
    slow = list(report.problems)
    assert isinstance(report.problems, HeldProblems) and report.problems.tallies() is not None
    assert report.rejected == len({p.path for p in slow if p.severity == "error"}) == 6
    assert problem_lines(report.problems) == problem_lines(slow)
    shown = problem_lines(report.problems)
    assert [line.split(":")[0].rpartition("/")[2] for line in shown[:6]] == [f"p{n:03d}.md" for n in (7, 108, 209, 310, 411, 512)]
    assert shown[-1] == ("warning: unknown front matter key 'image_credit': in 342 files, 339 more not listed "
                         "(--verbose lists them all)")
