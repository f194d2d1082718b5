"""A full scan keeps its entries as columns (build/columns.py; issue 12: 100,000 FileEntry tuples, their
ints and a dict cost 15 MB of a 100,000-post build): read as a mapping, indexed and checked for
contested claims, they are the entries the tasks answered, with their problems held apart."""

from __future__ import annotations

import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.build.cache import dumps
from syndicator.build.columns import Columns, EntryColumns
from syndicator.build.parsed import Parsed
from syndicator.config import load
from syndicator.posts.loader import Stub, contested, index_entries
from syndicator.posts.problem import Problem
from tests.small_site import site_toml

_PATHS = st.text("abcé/._-", min_size=1, max_size=6)


@pytest.fixture(scope="module")
def site_config(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    (folder / "config.toml").write_text(site_toml(items=5), encoding="utf-8")
    (folder / "posts").mkdir()
    return load(folder / "config.toml")


def _stub(rel: str, n: int, same: int) -> Stub:
    # `same`: the id (and address) shared by some posts, so that claims are contested
    key = f"p{n % same}" if same else rel
    return Stub(rel, f"tag:{key}", f"https://s/{key}/", rel, float(n % 5), n % 7 == 0, ("t",), (), (), f"d{n}")


@st.composite
def _answers(draw):
    """Entries (some not posts, some with problems), cut into tasks answered in any order, or interleaved."""
    rels = sorted(draw(st.sets(_PATHS, max_size=40)))
    same = draw(st.sampled_from([0, 0, 3]))
    entries = {}
    for n, rel in enumerate(rels):
        stub = _stub(rel, n, same) if draw(st.integers(0, 4)) else None
        problems = tuple(Problem(f"posts/{rel}", 1, "unknown key", "warning") for _ in range(draw(st.integers(0, 2))))
        entries[rel] = (draw(st.integers(0, 2**40)), draw(st.integers(0, 2**62)), stub, problems)
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(rels) - 1)), max_size=6))) if rels else []
    tasks = [rels[a:b] for a, b in zip([0, *cuts], [*cuts, len(rels)]) if rels[a:b]]
    if draw(st.booleans()) and len(rels) > 2:  # a failed worker's files parsed again in new tasks: interleaved
        order = draw(st.permutations(rels))
        tasks = [sorted(order[:len(order) // 2]), sorted(order[len(order) // 2:])]
    return entries, draw(st.permutations(tasks))


@settings(max_examples=200, deadline=None)
@given(answers=_answers(), asked=st.lists(st.one_of(_PATHS, st.integers(), st.none()), max_size=8))
def test_columns_read_as_the_entries_the_tasks_answered(answers, asked, site_config):
    entries, tasks = answers
    parsed = Parsed({}, {}, None, len(entries), hold=True)
    for task in tasks:
        parsed.take(dumps([(rel, entries[rel]) for rel in task], {}), [], task[:1])  # a worker stored it
    table = parsed.entries
    assert isinstance(table, EntryColumns)
    expected = {rel: (*entry[:3], ()) for rel, entry in entries.items()}
    assert table == expected and dict(table) == expected
    assert list(table) == sorted(entries) and len(table) == len(entries)
    assert list(table.stubs()) == [entries[rel][2] for rel in sorted(entries)]
    for key in [*asked, *reversed(sorted(entries)), *sorted(entries)]:  # any order: by bisection, or the next one
        assert (key in table) == (key in expected)
        assert table.get(key, "none") == expected.get(key, "none")  # type: ignore[call-overload]
    if asked and asked[0] not in expected:
        with pytest.raises(KeyError):
            table[asked[0]]  # type: ignore[index]
    assert index_entries(site_config, table) == index_entries(site_config, expected)
    assert contested(table) == contested(expected)


def test_a_path_answered_twice_is_refused():
    one, two = Columns(), Columns()
    one.add([("b", (1, 2, None, ())), ("a", (1, 2, None, ()))])  # out of order: sorted once
    two.add([("a", (3, 4, None, ()))])
    with pytest.raises(ValueError):
        EntryColumns([one, two])


def test_20000_entries_as_columns_cost_under_a_quarter_of_a_dict_of_tuples():
    stubs = [_stub(f"post-{n:05}.md", n, 0) for n in range(20_000)]
    pairs = [(stub.source, (1000 + n, 1_700_000_000_000_000_000 + n, stub, ())) for n, stub in enumerate(stubs)]
    del stubs

    def held(make):
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            kept = make()
            return tracemalloc.get_traced_memory()[0] - before, kept
        finally:
            tracemalloc.stop()

    def as_columns():
        part = Columns()
        part.add((rel, (int(str(e[0])), int(str(e[1])), e[2], e[3])) for rel, e in pairs)  # ints of their own
        return EntryColumns([part])

    columns, table = held(as_columns)
    plain, entries = held(lambda: {rel: (int(str(e[0])), int(str(e[1])), e[2], e[3]) for rel, e in pairs})
    assert table == entries
    assert columns < plain / 4, (columns, plain)
