"""The output folder: writes and removals never go through a link; leftovers go by exact prefix."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.build.manifest import Manifest
from syndicator.build.output import OutputDir, is_temp_of, temp_name

NAMES = ("rss.xml", "atom.xml", "feed.json", "feeds.opml")


def test_write_is_atomic_and_skips_identical_bytes(tmp_path):
    out = OutputDir(tmp_path / "feeds")
    assert out.write("tags/x/rss.xml", b"<rss/>").status == "written"
    path = tmp_path / "feeds" / "tags" / "x" / "rss.xml"
    inode = path.stat().st_ino
    assert out.write("tags/x/rss.xml", b"<rss/>").status == "unchanged" and path.stat().st_ino == inode
    assert out.write("tags/x/rss.xml", b"<rss />").status == "written" and path.read_bytes() == b"<rss />"
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    assert os.listdir(path.parent) == ["rss.xml"]


def test_a_linked_folder_is_neither_written_through_nor_cleaned(tmp_path):
    target = tmp_path / "precious"
    target.mkdir()
    (target / "rss.xml").write_bytes(b"mine")
    (tmp_path / "feeds" / "tags").mkdir(parents=True)
    os.symlink(target, tmp_path / "feeds" / "tags" / "x")
    out = OutputDir(tmp_path / "feeds")
    wrote = out.write("tags/x/rss.xml", b"new")
    gone = out.remove("tags/x/rss.xml")
    assert (wrote.status, gone.status) == ("failed", "failed")
    assert wrote.message == "feeds/tags/x is a symbolic link; left alone" == gone.message
    assert (target / "rss.xml").read_bytes() == b"mine" and os.listdir(target) == ["rss.xml"]
    assert out.links(["", "tags"]) == ["tags/x"]


def test_a_linked_file_is_not_replaced_or_removed(tmp_path):
    (tmp_path / "feeds").mkdir()
    (tmp_path / "elsewhere.xml").write_bytes(b"keep")
    os.symlink(tmp_path / "elsewhere.xml", tmp_path / "feeds" / "rss.xml")
    out = OutputDir(tmp_path / "feeds")
    assert out.write("rss.xml", b"new").message == "feeds/rss.xml is a symbolic link; left alone"
    assert out.remove("rss.xml").status == "failed"
    assert (tmp_path / "feeds" / "rss.xml").is_symlink() and (tmp_path / "elsewhere.xml").read_bytes() == b"keep"


def test_remove_prunes_empty_folders_but_not_the_root_or_busy_ones(tmp_path):
    out = OutputDir(tmp_path / "feeds")
    out.write("tags/a/rss.xml", b"a")
    out.write("tags/b/rss.xml", b"b")
    assert out.remove("tags/a/rss.xml").status == "removed"
    assert sorted(os.listdir(tmp_path / "feeds" / "tags")) == ["b"]
    assert out.remove("tags/b/rss.xml").status == "removed"
    assert os.listdir(tmp_path / "feeds") == []
    assert out.remove("tags/b/rss.xml").status == "absent"


def test_sweep_removes_only_exact_temp_prefixes(tmp_path):
    feeds = tmp_path / "feeds"
    (feeds / "tags" / "t").mkdir(parents=True)
    leftovers = [feeds / temp_name("rss.xml"), feeds / ".atom.xml.tmp-k2j_9xq1", feeds / "tags/t" / temp_name("feed.json")]
    keep = [feeds / ".rss.xml.tmp-", feeds / ".rss.xml.tmpx-1", feeds / "rss.xml", feeds / ".other.tmp-1",
            feeds / ".rss.xml.tmp-a.b"]
    for path in leftovers + keep:
        path.write_bytes(b"x")
    os.symlink("rss.xml", feeds / ".feed.json.tmp-abc")  # a link, even with the name, stays
    removed = OutputDir(feeds).sweep_temp(["", "tags/t", "tags/missing"], NAMES)
    assert sorted(removed) == sorted(p.relative_to(feeds).as_posix() for p in leftovers)
    assert all(p.exists() for p in keep) and (feeds / ".feed.json.tmp-abc").is_symlink()
    assert not is_temp_of(".rss.xml.tmp-../x", NAMES) and is_temp_of(".feeds.opml.tmp-ab12", NAMES)


def test_manifest_is_per_output_folder_and_survives_reopening(tmp_path):
    state = tmp_path / "state" / "output.sqlite"
    first = Manifest(state, tmp_path / "feeds")
    first.add(["rss.xml", "tags/a/rss.xml"])
    first.discard(["tags/a/rss.xml"])
    first.set_owners({("id", "tag:x"): "a.md", ("url", "https://x/a/"): "a.md"})
    first.close()
    again = Manifest(state, tmp_path / "feeds")
    assert again.files() == {"rss.xml"} and again.owners()[("id", "tag:x")] == "a.md"
    assert Manifest(state, tmp_path / "public").files() == set()


def test_a_damaged_manifest_is_set_aside(tmp_path):
    state = tmp_path / "output.sqlite"
    state.write_bytes(b"not a database at all" * 100)
    manifest = Manifest(state, tmp_path / "feeds")
    assert manifest.files() == set() and (tmp_path / "output.sqlite.damaged").exists()


@settings(max_examples=40, deadline=None)
@given(parts=st.lists(st.binary(max_size=300), max_size=12), again=st.lists(st.binary(max_size=300), max_size=3))
def test_parts_are_written_as_one_file_and_rewritten_only_when_they_differ(parts, again):
    with tempfile.TemporaryDirectory() as base:
        out = OutputDir(Path(base) / "feeds")  # made on the first write
        first = out.write("tags/x/rss.xml", parts)
        assert first.status == "written"
        assert (Path(base) / "feeds" / "tags" / "x" / "rss.xml").read_bytes() == b"".join(parts)
        assert out.write("tags/x/rss.xml", [b"".join(parts)]).status == "unchanged"
        second = out.write("tags/x/rss.xml", again)
        assert second.status == ("unchanged" if b"".join(again) == b"".join(parts) else "written")
        assert (Path(base) / "feeds" / "tags" / "x" / "rss.xml").read_bytes() == b"".join(again)
        assert sorted(os.listdir(Path(base) / "feeds" / "tags" / "x")) == ["rss.xml"]  # no temporary file left


@settings(max_examples=40, deadline=None)
@given(parts=st.lists(st.binary(max_size=50), min_size=1, max_size=2100), most=st.integers(1, 4000))
def test_parts_survive_short_writes_and_more_parts_than_one_writev_takes(parts, most):
    """A gathering write may write less than asked (a signal, a full disk that frees up): the rest
    goes on from the byte where it stopped; and past 1,024 parts, the next writev takes the next."""
    real_writev, calls = os.writev, []

    def short_writev(fd, buffers):  # at most `most` bytes a call, as a short write would
        assert len(buffers) <= 1024
        calls.append(len(buffers))
        data = b"".join(bytes(b) for b in buffers)[:most]
        return os.write(fd, data)

    with tempfile.TemporaryDirectory() as base:
        out = OutputDir(Path(base) / "feeds")
        os.writev = short_writev
        try:
            outcome = out.write("rss.xml", parts)
        finally:
            os.writev = real_writev
        assert outcome.status == "written"
        assert (Path(base) / "feeds" / "rss.xml").read_bytes() == b"".join(parts)
        assert len(calls) >= len([p for p in parts if p]) / 1024
