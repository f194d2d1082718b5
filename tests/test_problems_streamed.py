"""A build's problems are summarised and recorded in one pass, a chunk at a time (issue 12, 100,000 posts):
the same lines and the same decoded problems as the all-at-once code, without a list of them all."""

from __future__ import annotations

import pickle
import tracemalloc

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.build.problem_lines import SHOWN_PER_WARNING, problem_lines
from syndicator.build.report import problem_bytes, problem_tuples
from syndicator.posts.problem import Problem

_PROBLEMS = st.lists(st.builds(Problem, st.sampled_from(["posts/a.md", "posts/b.md", "posts/ü.md", "c.md", ""]),
                               st.integers(0, 40), st.sampled_from(["unknown key 'x'", "bad date", "é", "", "\x00"]),
                               st.sampled_from(["error", "warning"])), max_size=40)


def _reference_lines(problems, *, verbose=False):
    """problem_lines as first written: every warning grouped in a list by message."""
    problems = list(problems)
    lines = [str(p) for p in problems if p.severity != "warning"]
    by_message = {}
    for problem in problems:
        if problem.severity == "warning":
            by_message.setdefault(problem.message, []).append(problem)
    for message, group in by_message.items():
        shown = group if verbose else group[:SHOWN_PER_WARNING]
        lines.extend(str(p) for p in shown)
        if len(group) > len(shown):
            lines.append(f"warning: {message}: in {len(group)} files, {len(group) - len(shown)} more not listed "
                         "(--verbose lists them all)")
    return lines


@settings(max_examples=200, deadline=None)
@given(problems=_PROBLEMS, verbose=st.booleans())
def test_the_one_pass_summary_prints_what_the_grouping_one_printed(problems, verbose):
    assert problem_lines(problems, verbose=verbose) == _reference_lines(problems, verbose=verbose)
    assert problem_lines(iter(problems), verbose=verbose) == _reference_lines(problems, verbose=verbose)


@settings(max_examples=200, deadline=None)
@given(problems=_PROBLEMS, chunk=st.integers(1, 45))
def test_problems_pickled_in_chunks_read_back_as_one_list_did(problems, chunk):
    data = problem_bytes(problems, chunk=chunk)
    assert problem_tuples(data) == [tuple(p) for p in problems]
    assert all(type(row) is tuple for row in problem_tuples(data))
    assert (data == b"") == (not problems)
    # a record written before the chunks (one pickled list) reads back the same
    single = pickle.dumps(list(map(tuple, problems)), protocol=pickle.HIGHEST_PROTOCOL) if problems else b""
    assert problem_tuples(single) == problem_tuples(data)


def test_200000_warnings_are_summarised_and_pickled_without_a_copy_of_them_all():
    problems = [Problem(f"posts/p{n}.md", 8 + n % 2, f"unknown front matter key 'k{n % 2}'", "warning")
                for n in range(200_000)]
    tracemalloc.start()
    lines = problem_lines(problems)
    summarising = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    data = problem_bytes(problems)
    pickling = tracemalloc.get_traced_memory()[1] - len(data)
    tracemalloc.stop()
    assert lines == _reference_lines(problems) and len(lines) == 2 * (SHOWN_PER_WARNING + 1)
    assert problem_tuples(data) == [tuple(p) for p in problems] and len(data) < 2_000_000  # 11 MB pickled whole
    # the all-at-once code held a list of 200,000 (lines: 1.6 MB of references; pickling: 14 MB of tuples)
    assert summarising < 200_000 and pickling < 4_000_000, (summarising, pickling)
