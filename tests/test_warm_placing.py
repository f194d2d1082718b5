"""A full build's warm rows (build/warm.py's Placing) answer as the dict of every stub's row would, whatever
order the rows are asked in: the shortcut for the row found last (asked by `in`, then for its value)
and the one after it give what a bisection gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.build.warm import Placing, placed
from syndicator.posts.loader import Stub

_NAMES = st.text("abc./", min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(rels=st.sets(_NAMES, max_size=12), asks=st.lists(st.tuples(st.sampled_from(["in", "get", "both"]), _NAMES),
                                                      max_size=30),
       walk=st.booleans(), cutoff=st.sampled_from([0.0, 5.0, 50.0]))
def test_placing_answers_as_the_dict_of_every_row(rels, asks, walk, cutoff):
    stubs = [Stub(rel, f"tag:{rel}", f"https://s/{rel}/", rel, float(n * 7 % 40), n % 5 == 1, (), (), (), "d")
             for n, rel in enumerate(sorted(rels))]
    rows = Placing(stubs, cutoff)
    every = {stub.source: placed(stub, cutoff) for stub in stubs}
    if walk:  # the order a state's encoding asks in: each file, `in` and then its row
        asks = [("both", rel) for rel in sorted(rels | {rel for _kind, rel in asks})] + asks
    for kind, rel in asks:
        if kind in ("in", "both"):
            assert (rel in rows) == (rel in every)
        if kind in ("get", "both"):
            assert rows.get(rel) == every.get(rel)
    assert len(rows) == len(every) and list(rows) == sorted(every) and dict(rows.items()) == every
