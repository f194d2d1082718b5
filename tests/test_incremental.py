"""An incremental build (a few post files changed, planned from the last build's warm state) writes
exactly what a full build without the cache writes, reports the same, and leaves state a later
build agrees with (issue 12)."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from syndicator.build import build
from syndicator.build.incremental import published_after
from tests.incremental_steps import NOW, POSTS, STEPS, TAGS, replay, site_config, summary, tree
from tests.incremental_steps import age as _age
from tests.incremental_steps import post_text as _post

_config, _summary, _tree = site_config, summary, tree  # (tests/test_edit_path.py uses these names)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])
@given(first=st.lists(POSTS, min_size=1, max_size=8), steps=STEPS)
def test_incremental_builds_equal_full_builds(first, steps):
    published: list = []

    def observe(report, full):
        event(f"incremental={report.incremental} from_record={report.from_record} "
              f"rendered={'render' in report.timings}")
        if report.incremental:
            published[:] = published_after(published, report)
        elif not report.from_record:
            published[:] = report.published
        assert [s.source for s in published] == [s.source for s in full.published]

    replay(first, steps, warm_build=lambda config, now: build(config, now=now, brief=True), observe=observe)


def test_one_edited_post_is_planned_incrementally_and_matches_a_full_build(tmp_path):
    posts = tmp_path / "posts"
    posts.mkdir()
    for i in range(12):
        (posts / f"p{i}.md").write_text(_post(title=f"T{i}", day=i % 9 + 1, tags=[TAGS[i % 3]], author="ann",
                                              draft=False, slug=f"s{i}", body="Body."), encoding="utf-8")
    _age(posts.iterdir(), 100)
    warm, cold = _config(tmp_path, "warm"), _config(tmp_path, "cold")
    assert not build(warm, now=NOW, brief=True).incremental  # the first build runs in full
    (posts / "p11.md").write_text(_post(title="Edited", day=9, tags=["blue"], author="bob", draft=False,
                                        slug="s11", body="New body."), encoding="utf-8")
    _age([posts / "p11.md"], 50)
    report = build(warm, now=NOW, brief=True)
    assert report.incremental and report.read_again == ("p11.md",)
    assert [s.source for s in report.published] == ["p11.md"]
    build(cold, now=NOW, use_cache=False)
    assert _tree(tmp_path / "warm" / "feeds") == _tree(tmp_path / "cold" / "feeds")
    assert "Edited" in (tmp_path / "warm" / "feeds" / "rss.xml").read_text(encoding="utf-8")
    assert report.written  # the site feed, tag and author feeds it is in, and the index page


def test_a_claim_on_another_posts_address_runs_in_full(tmp_path):
    posts = tmp_path / "posts"
    posts.mkdir()
    for i in range(3):
        (posts / f"p{i}.md").write_text(_post(title=f"T{i}", day=i + 1, tags=[], author="ann", draft=False,
                                              slug=f"s{i}", body="Body."), encoding="utf-8")
    _age(posts.iterdir(), 100)
    warm, cold = _config(tmp_path, "warm"), _config(tmp_path, "cold")
    build(warm, now=NOW, brief=True)
    (posts / "p2.md").write_text(_post(title="T2", day=1, tags=[], author="ann", draft=False, slug="s0",
                                       body="Body."), encoding="utf-8")  # now p0's address, and same month
    _age([posts / "p2.md"], 50)
    report = build(warm, now=NOW, brief=True)
    assert not report.incremental and report.rejected == 1
    full = build(cold, now=NOW, use_cache=False)
    assert _summary(report) == _summary(full), (_summary(report), _summary(full))
    assert _tree(tmp_path / "warm" / "feeds") == _tree(tmp_path / "cold" / "feeds")


def test_a_future_post_that_expires_before_its_date_ends_the_records_answer_at_its_expiry(tmp_path):
    """Found by the property test: the record held until the post's date, so the count of drafts was stale."""
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "p0.md").write_text(_post(title="T", day=13, tags=[], author="ann", draft=False, slug="s0",
                                       body="Body.", expires=12), encoding="utf-8")
    _age(posts.iterdir(), 100)
    warm = _config(tmp_path, "warm")
    first = build(warm, now=NOW, brief=True)
    assert (first.future, first.drafts) == (1, 0)
    assert first.next_due == datetime(2026, 1, 12, 10, tzinfo=timezone.utc)
    after = build(warm, now=datetime(2026, 1, 12, 11, tzinfo=timezone.utc), brief=True)
    assert not after.from_record and (after.future, after.drafts) == (0, 1)


def test_a_feed_that_runs_out_of_its_reserve_is_planned_in_full(tmp_path):
    """items = 2, so each feed keeps its 4 newest posts: removing 3 of them leaves fewer than it shows."""
    posts = tmp_path / "posts"
    posts.mkdir()
    for i in range(7):
        (posts / f"p{i}.md").write_text(_post(title=f"T{i}", day=i + 1, tags=["red"], author="ann", draft=False,
                                              slug=f"s{i}", body="Body."), encoding="utf-8")
    _age(posts.iterdir(), 100)
    warm, cold = _config(tmp_path, "warm"), _config(tmp_path, "cold")
    build(warm, now=NOW, brief=True)
    kinds = []
    for i in (6, 5, 4):  # the newest first
        (posts / f"p{i}.md").unlink()
        report = build(warm, now=NOW, brief=True)
        kinds.append(report.incremental)
        build(cold, now=NOW, use_cache=False)
        assert _tree(tmp_path / "warm" / "feeds") == _tree(tmp_path / "cold" / "feeds")
    assert kinds == [True, True, False]  # the third removal leaves the stored 4 with 1
    assert [s.source for s in build(cold, now=NOW, use_cache=False).published][:2] == ["p3.md", "p2.md"]


def _claimant(slug: str, *, day: int = 1, draft: bool = False) -> str:
    return _post(title="Alpha", day=day, tags=[], author="ann", draft=draft, slug=slug, body="Body one.")


def test_a_draft_keeps_no_claim_by_history_so_a_build_with_nothing_changed_changes_nothing():
    """Found by the shortlist property test. p4 (published, owner of s23) becomes a draft beside an older draft
    p7 with the same slug: history once kept s23 with p4, and the next full build, whose owners no longer held
    the draft, gave it to p7 with nothing changed; the incremental build kept p4's."""
    first = [_claimant("s0"), _claimant("s23"), _claimant("s0"), _claimant("s0"), _claimant("s23", draft=True),
             _claimant("s0"), _claimant("s0")]
    steps = [("write", 0, _claimant("s0")), ("rename", 4, ""), ("rename", 1, ""),
             ("write", 4, _claimant("s23", day=12, draft=True)), ("remove", 1, "")]
    replay(first, steps, warm_build=lambda config, now: build(config, now=now, brief=True))


def test_a_file_rejected_for_a_claim_takes_it_when_the_holder_gives_it_up():
    """p1 is rejected for p0's address; p0 is then removed, renamed to another slug, or made a draft, or
    scheduled: each time p1 (not read again, unchanged) must be published as a full build publishes it."""
    for change in [("remove", 0, ""), ("write", 0, _claimant("s5")), ("write", 0, _claimant("s23", draft=True)),
                   ("write", 0, _claimant("s23", day=31))]:
        replay([_claimant("s23"), _claimant("s23", day=2), _claimant("s9")], [change, ("append", 1, "")],
               warm_build=lambda config, now: build(config, now=now, brief=True))
