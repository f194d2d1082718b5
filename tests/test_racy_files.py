"""Which post files a build may trust by size and mtime (build/vouch.py's untrusted, issue 12).

A file stamped close to the last scan may be written again with the same size and the same mtime:
it is read again. How close depends on the filesystem's grain: an mtime with a fraction of a
second comes from a fine one (FINE_NS), a whole-second one may come from a one-second one
(RACY_NS more). Files written a moment before a cold build (a site just copied) are trusted by
the next build, so an edit then reads one file, not the whole folder.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from syndicator.build import build
from syndicator.build.vouch import FINE_NS, RACY_NS, trusted_from, untrusted
from tests.incremental_steps import NOW, post_text, site_config

S = 1_000 * 1_000_000_000 + 123_456_789  # a scan's start, ns


def test_fine_mtimes_are_trusted_after_the_fine_margin():
    files = {"fresh.md": (1, S - FINE_NS + 1), "edge.md": (1, S - FINE_NS), "old.md": (1, S - FINE_NS - 1),
             "second-old.md": (1, S - 900_000_000), "future.md": (1, S + 10**9)}
    assert sorted(untrusted(files, S)) == ["edge.md", "fresh.md", "future.md"]


def test_whole_second_mtimes_need_a_second_more():
    scan = 1_000 * 10**9 + 20_000_000  # 20 ms into a second
    files = {"this-second.md": (1, 1_000 * 10**9), "last-second.md": (1, 999 * 10**9),
             "two-seconds.md": (1, 998 * 10**9), "fine.md": (1, 999 * 10**9 + 1)}
    assert sorted(untrusted(files, scan)) == ["last-second.md", "this-second.md"]


@given(st.dictionaries(st.sampled_from([f"p{i}.md" for i in range(8)]),
                       st.tuples(st.integers(0, 9), st.one_of(st.integers(S - 3 * 10**9, S + 10**9),
                                                              st.integers(S // 10**9 - 3, S // 10**9 + 1).map(
                                                                  lambda s: s * 10**9)))))
def test_untrusted_is_every_file_within_its_grains_margin(files):
    def margin(mtime: int) -> int:
        return FINE_NS if mtime % 10**9 else RACY_NS + FINE_NS

    assert untrusted(files, S) == [rel for rel, (_size, mtime) in files.items() if mtime >= S - margin(mtime)]


def _site(tmp_path: Path, *, mtime_ns: int) -> tuple[Path, object]:
    posts = tmp_path / "posts"
    posts.mkdir(parents=True)
    for i in range(8):
        path = posts / f"p{i}.md"
        path.write_text(post_text(title=f"T{i}", day=i + 1, tags=["red"], author="ann", draft=False,
                                  slug=f"s{i}", body="Body."), encoding="utf-8")
        os.utime(path, ns=(mtime_ns, mtime_ns))
    return posts, site_config(tmp_path, "site")


def test_an_edit_right_after_a_cold_build_reads_the_edited_file_only(tmp_path):
    posts, config = _site(tmp_path, mtime_ns=time.time_ns() - 300_000_000)  # copied 0.3 s before the build
    assert not build(config, now=NOW, brief=True).incremental
    assert build(config, now=NOW, brief=True).from_record  # nothing changed: answered from the record
    with open(posts / "p0.md", "a", encoding="utf-8") as post:  # an old post: in no feed (items = 2)
        post.write("Edited line.\n")
    report = build(config, now=NOW, brief=True)
    assert report.incremental and report.read_again == ("p0.md",)


def test_a_file_written_again_as_its_scan_read_it_is_read_again(tmp_path):
    """Same size, same mtime, new text: only the margin tells. Fine and whole-second mtimes a moment ahead
    of the scan (a clock ahead) are too close to trust."""
    for name, stamp in (("fine", time.time_ns() + 10**9 + 1), ("whole", (time.time_ns() // 10**9 + 2) * 10**9)):
        posts, config = _site(tmp_path / name, mtime_ns=stamp)
        build(config, now=NOW, brief=True)
        newest = posts / "p7.md"  # the site feed's first item
        text = newest.read_text(encoding="utf-8")
        newest.write_text(text.replace("title: T7", "title: X7"), encoding="utf-8")
        os.utime(newest, ns=(stamp, stamp))
        report = build(config, now=NOW, brief=True)
        assert not report.from_record, name
        assert "<title>X7</title>" in (config.feeds.output / "rss.xml").read_text(encoding="utf-8"), name


@given(st.one_of(st.integers(0, 4 * 10**18), st.integers(0, 4 * 10**9).map(lambda s: s * 10**9)))
def test_a_file_is_trusted_from_trusted_from_on(mtime):
    files = {"p.md": (1, mtime)}
    assert untrusted(files, trusted_from(mtime)) == [] and untrusted(files, trusted_from(mtime) - 1) == ["p.md"]
