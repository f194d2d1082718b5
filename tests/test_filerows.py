"""build/filerows.py: the chunked rows of the warm state agree with plain dicts, whatever changed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.build.filerows import CHUNK, FileRows, Tally

STATES = ["published", "draft", "future"]
ROWS = st.one_of(st.none(), st.tuples(st.sampled_from(STATES), st.integers(0, 3), st.integers(0, 3),
                                      st.one_of(st.none(), st.floats(0, 100, allow_nan=False))))
CHANGES = st.lists(st.tuples(st.sampled_from(["edit", "touch", "grow", "remove", "add", "racy"]),
                             st.integers(0, 3 * CHUNK), ROWS), max_size=6)


def _name(i: int) -> str:
    return f"posts/p{i:05d}.md"


@settings(max_examples=40, deadline=None)
@given(count=st.integers(0, 3 * CHUNK), first=st.lists(ROWS, min_size=1, max_size=8), changes=CHANGES)
def test_chunked_rows_agree_with_whole_dicts(count, first, changes):
    files = {_name(2 * i): (i, 1000 + i) for i in range(count)}  # even numbers: room to add between
    posts = {rel: first[i % len(first)] for i, rel in enumerate(files) if first[i % len(first)] is not None}
    whole = FileRows.of(files, posts)
    rows = FileRows.decode(whole.encoded(), whole.tally)  # as the next build reads them back
    now, also, new_rows = dict(files), set(), {}
    for op, at, row in changes:
        rel = _name(2 * (at % max(count, 1)) + (op == "add"))
        if op == "remove":
            now.pop(rel, None)
        elif op == "racy":
            if rel in now:
                also.add(rel)
        else:
            size, mtime = now.get(rel, (0, 0))
            now[rel] = {"edit": (size + 1, mtime), "touch": (size, mtime + 1),
                        "grow": (size + 2**40, mtime)}.get(op, (size, mtime + 1))  # grow: marshal'd longer
        if op != "racy":
            new_rows[rel] = row if rel in now else None
    now = dict(sorted(now.items()))  # the walk's order
    expected = {rel for rel, _seen in now.items() ^ files.items()} | (also & now.keys())  # racy: of the walk's
    diff = rows.diff(now, also)
    assert diff.changed == expected
    assert diff.rows == {rel: posts[rel] for rel in expected if rel in posts}
    new_rows = {rel: new_rows.get(rel, posts.get(rel)) for rel in expected}  # read again: a row or None
    after = rows.updated(now, diff, new_rows)
    kept = {rel: row for rel, row in posts.items() if rel in now and rel not in new_rows}
    kept.update((rel, row) for rel, row in new_rows.items() if row is not None)
    for state in (after, FileRows.decode(after.encoded(), after.tally)):
        assert list(state.files.items()) == list(now.items())
        assert state.posts == kept
        assert state.tally == Tally.of(kept.values())


def test_an_edit_decodes_only_the_chunk_it_is_in():
    files = {_name(i): (i, i) for i in range(3 * CHUNK)}
    rows = FileRows.decode(FileRows.of(files, {}).encoded(), Tally(0, 0, 0, None))
    now = dict(files)
    now[_name(CHUNK + 5)] = (2**40, 0)  # marshal'd longer than before: the next chunks' offsets move
    diff = rows.diff(now)
    assert diff.changed == {_name(CHUNK + 5)} and diff.aligned
    assert sorted(rows._decoded) == [1]  # noqa: SLF001 - what the optimisation is about
    after = rows.updated(now, diff, {_name(CHUNK + 5): None})
    assert [a is b for a, b in zip(rows.encoded(), after.encoded())] == [True, False, True]
