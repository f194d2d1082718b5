"""Issue 8 item 3: SIGKILL `syndicator build` at random moments between same-size edits and
undos; afterwards one build must leave exactly what `build --no-cache` writes, and no temporary
file. Bounded: a small site and a few kills (bench/kill_build.py runs the long version).
"""

from __future__ import annotations

import sys

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
from kill_build import run  # noqa: E402


def test_random_sigkills_with_same_size_undos_end_byte_identical_to_a_clean_build(tmp_path):
    figures = run(tmp_path, posts=60, kills=8, seed=8, log=lambda line: None)
    print(figures)
    assert figures.kills >= 4  # most builds really were killed mid-way
    assert figures.checks > 0 and figures.unparsable == 0
    assert figures.stale == 0 and figures.missing_or_extra == 0
    assert figures.leftovers == 0
