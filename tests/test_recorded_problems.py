"""A build answered from the last build's record reports the same problems, decoded only when read (issue 12)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.build import build
from syndicator.build.problem_lines import problem_lines
from syndicator.build.report import BuildReport, RecordedProblems
from syndicator.build.unchanged import Record, record
from syndicator.cli.app import now_utc
from syndicator.config import load
from syndicator.posts.problem import Problem
from tests.conftest import REPO

_PROBLEMS = st.lists(st.builds(Problem, st.sampled_from(["posts/a.md", "posts/b.md", "posts/ü.md", "c.md"]),
                               st.integers(0, 40), st.sampled_from(["unknown key 'x'", "bad date", "é", ""]),
                               st.sampled_from(["error", "warning"])), max_size=30)


def _recorded(problems: list[Problem]) -> Record:
    report = BuildReport(files=3, problems=list(problems))
    left = record(report, files={"a.md": (1, 2)}, scan_started_ns=5, outputs={"rss.xml": "1:2:3"}, notes=1)
    return Record.loads(left.dumps())


@settings(max_examples=150, deadline=None)
@given(problems=_PROBLEMS)
def test_the_recorded_problems_read_and_print_as_the_reported_ones(problems):
    saved = _recorded(problems)
    reported = saved.reported()
    assert isinstance(reported, RecordedProblems) and len(reported) == len(problems)
    assert problem_lines(reported) == problem_lines(problems)  # from the lines kept in the record
    assert problem_lines(reported, verbose=True) == problem_lines(problems, verbose=True)  # decoded
    assert list(reported) == problems and reported == problems and all(type(p) is Problem for p in reported)
    assert reported[1:] == problems[1:] and saved.problems == tuple(map(tuple, problems))


def test_nothing_is_decoded_for_the_lines_and_a_damaged_record_is_no_record():
    saved = _recorded([Problem("posts/a.md", 3, "unknown key 'x'", "warning")] * 5)
    broken = Record(**{**saved.__dict__, "problem_data": b"not a pickle"})
    assert problem_lines(broken.reported()) == problem_lines(saved.reported())  # the kept lines, not decoded
    assert Record.loads(saved.dumps()[:-3]) is None and Record.loads(b"") is None


def _run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "syndicator", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_a_build_answered_from_the_record_prints_what_a_full_build_prints(tmp_path):
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    shutil.copytree(REPO / "posts", tmp_path / "posts")
    for i in range(6):
        (tmp_path / "posts" / f"2025-11-{i + 1:02d}-extra-{i}.md").write_text(
            f"---\ntitle: Extra {i}\nxyzzy_mood: calm\n---\nBody {i}.\n")
    (tmp_path / "posts" / "2025-11-20-broken.md").write_text("---\ntitle: Broken\ndate: nope\n---\nx\n")
    for post in (tmp_path / "posts").iterdir():  # saved well before the build: the record can vouch for them
        stamp = post.stat().st_mtime_ns - 10**10
        os.utime(post, ns=(stamp, stamp))
    full = _run("build", cwd=tmp_path)
    again = _run("build", cwd=tmp_path)
    assert full.returncode == again.returncode == 1
    assert again.stderr == full.stderr and "3 more not listed" in again.stderr
    assert again.stdout.splitlines()[0] == full.stdout.splitlines()[0]  # the same counts
    verbose = _run("build", "-v", cwd=tmp_path)
    verbose_full = _run("build", "-v", "--no-cache", cwd=tmp_path)
    assert verbose.stderr == verbose_full.stderr and "more not listed" not in verbose.stderr
    assert verbose.stderr.count("xyzzy_mood") == 6
    assert build(load(tmp_path / "config.toml"), now=now_utc(), brief=True).from_record  # what the CLI did
