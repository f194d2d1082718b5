"""The manifest's owners: one row per post file, written as a delta, read back as (kind, key) -> path."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicator.build.manifest import Manifest
from syndicator.posts.claims import incumbency, owners_of


class C(NamedTuple):
    source: str
    id: str
    url: str
    slug: str = "s"
    published: float = 0.0
    draft: bool = False


def _expected(claims: list[C]) -> dict[tuple[str, str], str]:
    """What the old (kind, key) table held after set_owners: every published claim's id and address."""
    owners: dict[tuple[str, str], str] = {}
    for claim in claims:
        owners[("id", claim.id)] = claim.source
        owners[("url", claim.url)] = claim.source
    return owners


published_sets = st.lists(
    st.tuples(st.sampled_from([f"p{n}.md" for n in range(12)] + ["é/ü.md", "b/a.md"]),
              st.integers(0, 30), st.integers(0, 30)),
    max_size=14, unique_by=(lambda t: t[0], lambda t: t[1], lambda t: t[2]))  # settled: ids and addresses unique


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(builds=st.lists(published_sets, min_size=1, max_size=5))
def test_set_owners_delta_reads_back_exactly_the_last_builds_owners(tmp_path_factory, builds):
    state = tmp_path_factory.mktemp("m") / "output.sqlite"
    manifest = Manifest(state, state.parent / "feeds")
    for rows in builds:
        claims = [C(path, f"tag:{i}", f"https://s/{u}/") for path, i, u in rows]
        manifest.set_owners(owners_of(claims))
        assert manifest.owners() == _expected(claims)
    manifest.close()
    again = Manifest(state, state.parent / "feeds")
    assert again.owners() == _expected([C(p, f"tag:{i}", f"https://s/{u}/") for p, i, u in builds[-1]])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=published_sets, after=published_sets)
def test_a_plain_mapping_and_owners_of_write_the_same_rows(tmp_path_factory, before, after):
    folder = tmp_path_factory.mktemp("m")
    a, b = Manifest(folder / "a.sqlite", folder), Manifest(folder / "b.sqlite", folder)
    for rows in (before, after):
        claims = [C(p, f"tag:{i}", f"https://s/{u}/") for p, i, u in rows]
        a.set_owners(owners_of(claims))
        b.set_owners(_expected(claims))
    assert a.owners() == b.owners() == _expected([C(p, f"tag:{i}", f"https://s/{u}/") for p, i, u in after])


def _count_writes(manifest: Manifest) -> None:
    """Count the rows written to the owners table (and not to set_owners' temporary one) in temp.writes."""
    manifest.db.execute("CREATE TEMP TABLE writes (n INTEGER)")  # (a name the manifest never uses)
    manifest.db.execute("INSERT INTO temp.writes VALUES (0)")
    for event in ("INSERT", "DELETE", "UPDATE"):
        manifest.db.execute(f"CREATE TEMP TRIGGER count_{event.lower()} AFTER {event} ON main.owned "
                            "BEGIN UPDATE writes SET n = n + 1; END")


def _writes(manifest: Manifest) -> int:
    return manifest.db.execute("SELECT n FROM temp.writes").fetchone()[0]


def test_nothing_new_writes_nothing(tmp_path):
    manifest = Manifest(tmp_path / "output.sqlite", tmp_path)
    claims = [C(f"{n}.md", f"tag:{n}", f"https://s/{n}/") for n in range(50)]
    manifest.set_owners(owners_of(claims))
    _count_writes(manifest)
    other = sqlite3.connect(tmp_path / "output.sqlite")  # sees a new data_version after any commit to the file
    version = other.execute("PRAGMA data_version").fetchone()[0]
    manifest.set_owners(owners_of(reversed(claims)))
    assert _writes(manifest) == 0 and other.execute("PRAGMA data_version").fetchone()[0] == version
    manifest.set_owners(owners_of(claims[1:] + [C("0.md", "tag:0", "https://s/moved/")]))
    assert _writes(manifest) == 1  # one row replaced (INSERT OR REPLACE: its delete is not a trigger's)
    assert other.execute("PRAGMA data_version").fetchone()[0] != version
    assert manifest.owners()[("url", "https://s/moved/")] == "0.md" and ("url", "https://s/0/") not in manifest.owners()
    manifest.set_owners(owners_of(claims[2:]))
    assert _writes(manifest) == 3  # 0.md and 1.md forgotten, nothing else written
    other.close()


def test_update_owners_replaces_only_the_changed_files_rows(tmp_path):
    manifest = Manifest(tmp_path / "output.sqlite", tmp_path)
    manifest.set_owners(owners_of([C("a.md", "tag:a", "https://s/a/"), C("b.md", "tag:b", "https://s/b/")]))
    manifest.update_owners(["b.md", "c.md"], {("id", "tag:c"): "c.md", ("url", "https://s/c/"): "c.md"})
    assert manifest.owners() == {("id", "tag:a"): "a.md", ("url", "https://s/a/"): "a.md",
                                 ("id", "tag:c"): "c.md", ("url", "https://s/c/"): "c.md"}
    before = manifest.db.total_changes
    manifest.update_owners(["c.md"], {("id", "tag:c"): "c.md", ("url", "https://s/c/"): "c.md"})
    assert manifest.db.total_changes == before


def test_owners_of_looks_up_like_the_mapping_it_replaced():
    claims = [C("b.md", "tag:b", "https://s/b/"), C("a.md", "tag:a", "https://s/a/")]
    owners = owners_of(claims)
    assert dict(owners) == _expected(claims) and len(owners) == 4
    assert incumbency(owners)(C("a.md", "tag:a", "https://s/other/")) is True
    assert incumbency(owners)(C("z.md", "tag:a", "https://s/z/")) is False


def test_a_schema_1_manifest_keeps_its_owners(tmp_path):
    path = tmp_path / "output.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE files (output TEXT, path TEXT, PRIMARY KEY (output, path))")
    db.execute("CREATE TABLE owners (kind TEXT, key TEXT, path TEXT, PRIMARY KEY (kind, key))")
    db.executemany("INSERT INTO owners VALUES (?, ?, ?)", [("id", "tag:a", "a.md"), ("url", "https://s/a/", "a.md"),
                                                          ("id", "tag:b", "b.md"), ("url", "https://s/b/", "b.md")])
    db.execute("INSERT INTO files VALUES (?, ?)", (str(tmp_path.resolve()), "rss.xml"))
    db.execute("PRAGMA user_version=1")
    db.commit()
    db.close()
    manifest = Manifest(path, tmp_path)
    assert manifest.owners() == {("id", "tag:a"): "a.md", ("url", "https://s/a/"): "a.md",
                                 ("id", "tag:b"): "b.md", ("url", "https://s/b/"): "b.md"}
    assert manifest.files() == {"rss.xml"}


def test_a_first_build_streams_its_rows_in_once_and_none_write_nothing(tmp_path):
    manifest = Manifest(tmp_path / "output.sqlite", tmp_path)
    _count_writes(manifest)
    other = sqlite3.connect(tmp_path / "output.sqlite")
    version = other.execute("PRAGMA data_version").fetchone()[0]
    manifest.set_owners(owners_of([]))
    assert _writes(manifest) == 0 and other.execute("PRAGMA data_version").fetchone()[0] == version
    claims = [C(f"{n}.md", f"tag:{n}", f"https://s/{n}/") for n in range(50)]
    manifest.set_owners(owners_of(iter(claims)))  # the empty table: no dict, each row written once
    assert _writes(manifest) == 50 and manifest.owners() == _expected(claims)
    other.close()
