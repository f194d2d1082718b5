"""posts/ discovery: link loops are found by device and inode, one note per loop, no folder read twice."""

from __future__ import annotations

import os
import tracemalloc

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def _reference_walk(posts_dir, suffixes):
    """The walk as first written (one DirEntry call per question): the slow path the fast one must equal."""
    from collections import deque

    wanted = tuple(s.lower() for s in suffixes)
    files, notes = {}, []
    st = os.stat(posts_dir)
    seen = {(st.st_dev, st.st_ino): ""}
    real, linked = deque([("", os.fspath(posts_dir), ((st.st_dev, st.st_ino),))]), deque()

    def enter(parent, rel, target):
        key = (target.st_dev, target.st_ino)
        if key in parent[2]:
            above = seen.get(key, "")
            shown = above.rstrip("/") + "/" if above else "the posts folder itself"
            notes.append((rel, f"symbolic link loop: leads back to {shown}, which contains it; not followed"))
            return None
        if key in seen:
            notes.append((rel, f"the same folder as {seen[key].rstrip('/')}/, which is read already; skipped"))
            return None
        seen[key] = rel
        return (rel + "/", os.path.join(parent[1], rel.rsplit("/", 1)[-1]), parent[2] + (key,))

    count = 0
    while real or linked:
        if not real:
            parent, rel, target = linked.popleft()
            folder = enter(parent, rel, target)
            if folder is None:
                continue
            real.append(folder)
        folder = real.popleft()
        count += 1
        with os.scandir(folder[1]) as found:
            entries = sorted((e for e in found if not (e.name.startswith(".") or e.name.endswith("~"))),
                             key=lambda e: e.name)
        for entry in entries:
            rel = folder[0] + entry.name
            try:
                if entry.is_dir():
                    if entry.is_symlink():
                        linked.append((folder, rel, entry.stat()))
                    else:
                        sub = enter(folder, rel, entry.stat())
                        if sub is not None:
                            real.append(sub)
                elif entry.name.lower().endswith(wanted) and entry.is_file():
                    target = entry.stat()
                    files[rel] = (target.st_size, target.st_mtime_ns)
            except OSError:
                continue
    return list(files.items()), notes, count


_NAMES = st.sampled_from(["a.md", "B.MD", "c.html", "d.txt", ".e.md", "f.md~", "g", "h.md", "i.rst", "z"])
_NODES = st.lists(st.tuples(st.sampled_from(["file", "folder", "link-up", "link-sibling", "dangling", "fifo"]),
                            st.lists(_NAMES, min_size=1, max_size=3)), max_size=12)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nodes=_NODES)
def test_the_walk_finds_what_the_plain_direntry_walk_finds_in_the_same_order(tmp_path_factory, nodes):
    root = tmp_path_factory.mktemp("tree")
    for kind, parts in nodes:
        path = root.joinpath(*parts)
        if path.exists() or path.is_symlink() or any(p.is_symlink() or (p.exists() and not p.is_dir())
                                                      for p in path.parents):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "file":
            path.write_text("x" * len(parts))
        elif kind == "folder":
            path.mkdir()
        elif kind == "link-up":
            os.symlink("..", path)
        elif kind == "link-sibling":
            os.symlink(root / parts[0], path)
        elif kind == "dangling":
            os.symlink("missing.md", path)
        else:
            os.mkfifo(path)
    found = walk(root, suffixes=MD + (".rst",))
    assert (list(found.files.items()), found.notes, found.folders) == _reference_walk(root, MD + (".rst",))
