"""build/problem_lookup.py: a few files' problems read from the record's bytes equal those found in all
of them decoded (what incremental.problems_unchanged did for every edit)."""

from __future__ import annotations

import bisect
import pickle
from operator import itemgetter

from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndicator.build.problem_lookup import rows_of
from syndicator.build.report import problem_bytes, problem_tuples
from syndicator.posts.problem import Problem

_PATHS = st.sampled_from(["posts/a.md", "posts/b.md", "posts/é.md", "posts/a.md.bak", "posts/\udcff.md",
                          "posts/ab.md", "a.md", "posts/c d.md"])
_PROBLEMS = st.lists(st.builds(Problem, _PATHS, st.integers(0, 9),
                               st.sampled_from(["unknown key 'x'", "bad date in posts/a.md", "é"]),
                               st.sampled_from(["warning", "error"])), max_size=40)


def _by_bisect(rows: list[tuple[str, int, str, str]], path: str) -> list[tuple[str, int, str, str]]:
    low = bisect.bisect_left(rows, path, key=itemgetter(0))
    return rows[low:bisect.bisect_right(rows, path, lo=low, key=itemgetter(0))]


@settings(max_examples=400, deadline=None)
@given(_PROBLEMS, st.lists(_PATHS, max_size=4), st.integers(1, 6))
@example([Problem("posts/a.md", 1, "m", "warning")] * 9, ["posts/a.md"], 2)  # one file's across chunks
def test_a_few_files_problems_are_those_of_all_decoded(problems, paths, chunk) -> None:
    problems = sorted(problems, key=itemgetter(0))  # as the record keeps the post files' problems: by path
    data = problem_bytes(problems, chunk=chunk)
    everything = problem_tuples(data)
    found = rows_of(data, paths)
    assert found == {path: _by_bisect(everything, path) for path in paths}


def test_a_record_of_one_pickled_list_is_left_to_decode_whole() -> None:
    data = pickle.dumps([("posts/a.md", 1, "m", "warning")], protocol=pickle.HIGHEST_PROTOCOL)
    assert rows_of(data, ["posts/a.md"]) is None and rows_of(b"", ["posts/a.md"]) == {"posts/a.md": []}
