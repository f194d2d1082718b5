"""What a 100,000-post build holds less of (issue 12) reads back exactly as before, on random data."""

from __future__ import annotations

import pickle
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.build.blobs import Blobs
from syndicator.build.cache import Cache
from syndicator.build.filerows import FileRows, Tally
from syndicator.build.plan import Top
from syndicator.build.unchanged import Record
from syndicator.build.warm import Groups, Warm, placed
from syndicator.posts.claims import owners_of

from test_plan_fast_paths import AUTHORS, stubs

texts = st.text(st.characters(blacklist_categories=("Cs",)) | st.sampled_from(["\ud800", "\x00", "\n", "é"]),
                max_size=12)


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(st.tuples(texts, texts, texts), max_size=30))
def test_owners_rows_read_back_as_the_claims_gave_them(rows):
    from collections import namedtuple

    claim = namedtuple("claim", "source id url")
    owners = owners_of(claim(*row) for row in rows)
    assert list(owners.rows) == [tuple(row) for row in rows] and list(owners.rows) == list(owners.rows)
    expected = {}
    for path, id_, url in rows:
        expected[("id", id_)] = path
        expected[("url", url)] = path
    assert dict(owners) == expected


def _eager(files, kept, found, now, clean):
    """Warm.of as it was: every row made at once, in a dict."""
    cutoff = now.timestamp()
    return Warm(cutoff, FileRows.of(files, {s.source: placed(s, cutoff) for s in kept}), Groups.of(found), clean)


@settings(max_examples=60, deadline=None)
@given(posts=stubs(max_size=30), at=st.integers(0, 14), extra=st.integers(0, 3))
def test_warm_rows_made_when_asked_equal_the_rows_made_at_once(tmp_path_factory, posts, at, extra):
    blobs = Blobs(tmp_path_factory.mktemp("state"))  # where the state's pieces go (build/blobs.py)
    now = datetime.fromtimestamp(at, timezone.utc)
    files = {s.source: (n, n * 7) for n, s in enumerate(posts)}
    files.update({f"z{n}.md": (n, n) for n in range(extra)})  # files without a good post
    found = {("site", ""): Top(tuple(posts[:2]), len(posts) <= 2)}
    new, old = Warm.of(files, posts, found, now=now, clean=True), _eager(files, posts, found, now, True)
    assert new.rows.tally == old.rows.tally
    backwards = list(reversed(list(files))) + ["", "zz.md", "p.md"]  # found by bisection, not after the last
    assert [new.posts.get(rel) for rel in backwards] == [old.posts.get(rel) for rel in backwards]
    assert 5 not in new.posts and len(new.posts) == len(old.posts) and list(new.posts) == list(old.posts)
    assert new.dumps(AUTHORS, blobs) == old.dumps(AUTHORS, blobs)  # the same pieces, named alike
    assert {rel: new.posts[rel] for rel in new.posts} == old.posts  # one at a time, as encoding asks
    assert dict(new.posts.items()) == old.posts and list(new.posts.values()) == list(old.posts.values())
    assert [rel in new.posts for rel in files] == [rel in old.posts for rel in files]
    back = Warm.loads(new.dumps(AUTHORS, blobs), AUTHORS, blobs)
    assert back.posts == old.posts and back.files == files and back.rows.tally == old.rows.tally


def _record(problem_data: bytes, warm: bytes) -> Record:
    return Record("key", 5, float("inf"), (("rss.xml", "1:2:3"),), (1, 2, 3, 4, 5, 6), problem_data,
                  3 if problem_data else 0, ("line",), None, 1, warm)


@settings(max_examples=60, deadline=None)
@given(problems=st.binary(max_size=40), warm=st.binary(max_size=40))
def test_a_record_written_in_parts_reads_back_whole_and_a_torn_one_is_none(problems, warm):
    left = _record(problems, warm)
    data = left.dumps()
    assert data == b"".join(left.parts())
    assert Record.loads(data) == left
    for cut in (1, 2, len(data) // 2):
        if cut < len(data):
            assert Record.loads(data[:-cut]) is None
    assert Record.loads(data + b"x") is None
    assert Record.loads(pickle.dumps((6, "old", "fields"))) is None


def test_the_cache_writes_a_record_in_parts_and_reads_it_back_only_under_its_token(tmp_path: Path):
    cache = Cache(tmp_path / "cache.sqlite", "fp", {})
    left = _record(pickle.dumps([("posts/a.md", 1, "m", "warning")]), b"warm\nbytes")
    cache.put_last_build(left.parts(), "123-4")
    assert Record.loads(cache.last_build()) == left
    cache.put_last_build(left.dumps(), "123-5")
    assert cache.last_build() == left.dumps()
    cache.put_last_build(None, "123-55")  # a token only: the file left is not its record
    assert cache.last_build() is None
    cache.put_last_build(None, "123-")  # a prefix of the file's token is not it either
    assert cache.last_build() is None
    cache.forget_last_build()
    assert cache.last_build() is None
    cache.close()
