"""posts/ discovery: link loops are found by device and inode, one note per loop, no folder read twice."""

from __future__ import annotations

import os
import tracemalloc

from syndicator.posts.walk import walk

MD = (".md", ".markdown", ".html", ".htm")


def _post(path, text="---\ntitle: T\n---\nx\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_two_links_to_the_posts_folder_give_two_notes_and_each_file_once(tmp_path):
    _post(tmp_path / "a.md")
    _post(tmp_path / "sub" / "b.md")
    os.symlink(".", tmp_path / "loop1")
    os.symlink(".", tmp_path / "loop2")
    tracemalloc.start()
    found = walk(tmp_path, suffixes=MD)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert sorted(found.files) == ["a.md", "sub/b.md"]
    assert [rel for rel, _ in found.notes] == ["loop1", "loop2"]
    assert all("symbolic link loop" in msg and "the posts folder itself" in msg for _, msg in found.notes)
    assert found.folders == 2 and peak < 1_000_000


def test_a_loop_deep_down_is_one_note_naming_the_folder_it_returns_to(tmp_path):
    _post(tmp_path / "2024" / "x" / "p.md")
    os.symlink("../..", tmp_path / "2024" / "x" / "up")
    found = walk(tmp_path, suffixes=MD)
    assert list(found.files) == ["2024/x/p.md"]
    assert found.notes == [("2024/x/up", "symbolic link loop: leads back to the posts folder itself, "
                                         "which contains it; not followed")]


def test_a_linked_folder_outside_is_read_and_a_second_link_to_it_is_skipped(tmp_path):
    outside = tmp_path / "elsewhere"
    _post(outside / "far.md")
    posts = tmp_path / "posts"
    posts.mkdir()
    os.symlink(outside, posts / "archive")
    os.symlink(outside, posts / "zz-again")
    found = walk(posts, suffixes=MD)
    assert list(found.files) == ["archive/far.md"]
    assert found.notes == [("zz-again", "the same folder as archive/, which is read already; skipped")]


def test_a_real_folder_is_named_by_its_own_path_not_by_a_link_to_it(tmp_path):
    _post(tmp_path / "real" / "p.md")
    os.symlink("real", tmp_path / "alias")  # sorts before "real"
    found = walk(tmp_path, suffixes=MD)
    assert list(found.files) == ["real/p.md"]
    assert [rel for rel, _ in found.notes] == ["alias"]


def test_mutual_links_between_two_folders_never_read_either_twice(tmp_path):
    _post(tmp_path / "x" / "one.md")
    _post(tmp_path / "y" / "two.md")
    os.symlink("../y", tmp_path / "x" / "to-y")
    os.symlink("../x", tmp_path / "y" / "to-x")
    found = walk(tmp_path, suffixes=MD)
    assert sorted(found.files) == ["x/one.md", "y/two.md"]
    assert sorted(rel for rel, _ in found.notes) == ["x/to-y", "y/to-x"]


def test_dotfiles_backups_other_suffixes_fifos_and_dangling_links_are_not_posts(tmp_path):
    _post(tmp_path / "ok.MD")
    _post(tmp_path / ".hidden.md")
    _post(tmp_path / "draft.md~")
    _post(tmp_path / "notes.txt")
    os.mkfifo(tmp_path / "pipe.md")
    os.symlink("missing.md", tmp_path / "dangling.md")
    found = walk(tmp_path, suffixes=MD)
    assert list(found.files) == ["ok.MD"] and found.notes == []
    size, mtime = found.files["ok.MD"]
    assert size == (tmp_path / "ok.MD").stat().st_size and mtime == (tmp_path / "ok.MD").stat().st_mtime_ns


def test_missing_posts_folder_is_one_note(tmp_path):
    found = walk(tmp_path / "nope", suffixes=MD)
    assert found.files == {} and found.notes == [("", "cannot read the posts folder (No such file or directory)")]
