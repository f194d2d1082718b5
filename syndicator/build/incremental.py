"""Plan a build from the last one's warm state when only a few post files changed (issue 12).

The files whose size or mtime differ from the record's (and those too close to its scan to
trust: see build/vouch.py's untrusted) are read again; every other post is known from the warm
state. The changed files' posts leave the feeds that list them and their new versions join the
feeds they belong to (build/plan.py's regroup, on those feeds only). Anything this cannot settle
exactly as a full build would answers None, and the build runs in full: a claim on another
file's id or address, a feed cut short that ran out of reserve, too many changed files, a clock
that went back, the record expired (a post came due).

`changes` works the change out; build/edit.py finishes a build that changes no feed file without
the render stack, and `plan_changes` hands the plan of one that does to the pipeline.
"""

from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from operator import itemgetter
from typing import TYPE_CHECKING, Iterable, Sequence

from ..config import Config
from ..model import Post
from ..posts.loader import FileEntry, Stub, display_path, parse_file
from ..posts.problem import Problem
from .blobs import Blobs
from .cache import Cache, dumps
from .manifest import Manifest
from .problem_lookup import rows_of
from .plan import PUBLISHED, GroupKey, Top, feed_order, regroup
from .report import BuildReport, RecordedProblems
from .unchanged import Record
from .filerows import Diff, FileRows, Placed
from .vouch import untrusted
from .warm import Groups, Warm, claim_sum, placed, reserve

if TYPE_CHECKING:
    from .planned import Planned

logger = logging.getLogger(__name__)
MAX_CHANGED = 64  # more changed files than this: a full build (it parses them on both cores)
_Discovered = tuple[dict[str, tuple[int, int]], list[Problem]]
_path = itemgetter(0)


@dataclass(frozen=True)
class Change:
    """What the post files changed since the last build do to its warm state."""

    cutoff: float  # the build's time (POSIX)
    files: dict[str, tuple[int, int]]  # every post file now
    changed: list[str]  # the files read again: changed, added or removed (sorted)
    parsed: dict[str, tuple[FileEntry, Post | None]]  # those that are still there, parsed
    stubs: dict[str, Stub]  # their good posts
    new_rows: dict[str, Placed | None]  # the changed files' rows now (None: no good post)
    rows: FileRows  # every post file and good post now
    fresh: list[Stub]  # the changed files' published posts, by path
    before: dict[GroupKey, Top]  # the feeds the change touches, as they were
    after: dict[GroupKey, Top]  # the same feeds now (a feed no longer made is missing, a new one added)
    groups: Groups  # every feed now

    def warm(self) -> Warm:
        """The state the next build may start from."""
        return Warm(self.cutoff, self.rows, self.groups, True)

    def feeds_unchanged(self, items: int) -> bool:
        """Whether every feed lists the same posts (by file and digest) as before, so no output file changes:
        the feeds' paths and titles and the index page follow from which feeds exist and what they list."""
        def shown(top: Top) -> list[tuple[str, str]]:
            return [(s.source, s.digest) for s in top.items[:items]]

        return self.before.keys() == self.after.keys() and all(
            shown(top) == shown(self.after[key]) for key, top in self.before.items())


def changes(config: Config, now: datetime, saved: Record, warm: Warm | None,
            files: dict[str, tuple[int, int]], *, unshown: bool = False) -> Change | None:
    """The change the files changed since `saved` (whose warm state is `warm`) make, or None when a full
    build must run. `unshown=True`: None also when a changed file's post is one a feed shows (so the feed
    changes), found before any file is read (build/edit.py leaves those to the pipeline)."""
    cutoff = now.timestamp()
    if warm is None or not warm.clean or cutoff >= saved.valid_until or cutoff < warm.built_at:
        return None
    diff = warm.rows.diff(files, untrusted(files, saved.scan_started_ns))  # and those too close to its scan
    changed = sorted(diff.changed)
    if len(changed) > MAX_CHANGED or config.reading.engine == "hugo" and _cascades(changed):
        return None  # a changed Hugo _index.md cascades to the posts below it (posts/cascade.py)
    if unshown and warm.groups.shows(set(changed), config.feeds.items):
        return None
    parsed = {rel: parse_file(config, rel) for rel in changed if rel in files}
    stubs = {rel: entry[2] for rel, (entry, _post) in parsed.items() if entry[2] is not None}
    if _claimed(warm.rows, diff, changed, stubs.values()):
        return None
    rows = {rel: placed(stubs[rel], cutoff) if rel in stubs else None for rel in changed}
    fresh = [stub for rel, stub in sorted(stubs.items()) if rows[rel][0] == PUBLISHED]  # type: ignore[index]
    touched = warm.groups.holding(set(changed))
    touched += [key for stub in fresh for key in _feeds_of(config, stub) if key in warm.groups]
    before = {key: warm.groups[key] for key in touched}
    after = regroup(config, before, removed=set(changed), added=fresh, keep=reserve(config.feeds.items))
    if after is None:
        return None
    return Change(cutoff, files, changed, parsed, stubs, rows, warm.rows.updated(files, diff, rows), fresh,
                  before, after, warm.groups.updated(after, before))


def _cascades(changed: list[str]) -> bool:
    """Whether a changed file is a Hugo section's _index.md."""
    from ..posts.cascade import index_file  # (a Hugo site's: the usual edit does without it)

    return any(map(index_file, changed))


def _feeds_of(config: Config, stub: Stub) -> list[GroupKey]:
    """The feeds a published post belongs to (build/plan.py's groups)."""
    opts = config.feeds
    return [("site", ""), *(("tag", name) for name in stub.tags if opts.per_tag),
            *(("category", name) for name in stub.categories if opts.per_category),
            *(("author", a.key) for a in stub.authors if opts.per_author)]


def save_parsed(config: Config, cache: Cache, change: Change, *, started_ns: int) -> dict[str, bytes]:
    """Put the changed files' entries and posts in the build cache; the posts pickled, by file."""
    rows = {rel: (dumps(entry, config.authors), None if post is None else dumps(post, config.authors))
            for rel, (entry, post) in change.parsed.items()}
    cache.save_changes(rows, [rel for rel in change.changed if rel not in change.files])
    cache.mark_scan(started_ns)
    return {rel: post for rel, (_entry, post) in rows.items() if post is not None}


def next_due(rows: FileRows) -> datetime | None:
    """When the next post comes due or expires."""
    due = rows.tally.due
    return datetime.fromtimestamp(due, timezone.utc) if due is not None else None


def plan_changes(config: Config, now: datetime, cache: Cache, saved: Record, warm: Warm | None,
                 discovered: _Discovered, *, started_ns: int,
                 problems: list[Problem] | None = None) -> Planned | None:
    """The plan for the files changed since `saved`, or None when a full build must run. `warm` and
    `problems`: its warm state and its problems as Problems, when the caller holds them (else read from it)."""
    from .planned import Planned  # (as the pipeline: only a build that renders needs it)
    from .scan import Scan  # full posts on demand: only a build that renders needs them

    files, notes = discovered
    change = changes(config, now, saved, warm or Warm.loads(saved.warm, config.authors, Blobs(config.state_dir)), files)
    if change is None:
        return None
    pickled = save_parsed(config, cache, change, started_ns=started_ns)
    tally = change.rows.tally
    after = _problems(config, saved, problems, change, notes)
    return Planned(
        found=Scan(config, {}, pickled, cache), published=change.fresh, published_count=tally.published,
        drafts=tally.drafts, future=tally.future, next_due=next_due(change.rows),
        problems=after, notes=len(notes), rejected=saved.counts[4] if isinstance(after, RecordedProblems) else None,
        groups=change.groups, warm=change.warm(), owners=lambda manifest: owners(manifest, change),
        scan_started_ns=started_ns, incremental=True, read_again=tuple(change.changed))


def _problems(config: Config, saved: Record, problems: list[Problem] | None, change: Change,
              notes: list[Problem]) -> Sequence[Problem]:
    """Every problem after the change: the record's as they are (not decoded, not encoded again) when the
    changed files' and the walk's are those it holds, as after most edits; else worked out anew."""
    if problems is None and problems_unchanged(config, saved, None, change, notes):
        return saved.reported()
    return notes + problems_after(config, saved, problems, change)[0]


def _claimed(rows: FileRows, diff: Diff, changed: list[str], stubs: Iterable[Stub]) -> bool:
    """Whether a changed file's post may claim an id or address another file holds (or another changed file claims)."""
    stubs = list(stubs)
    if all(diff.rows.get(s.source, ("",))[1:3] == (claim_sum(s.id), claim_sum(s.url)) for s in stubs):
        return False  # each keeps the claims it held: they were settled then
    before = rows.posts
    others = set(changed)
    ids = {p[1] for rel, p in before.items() if rel not in others}
    urls = {p[2] for rel, p in before.items() if rel not in others}
    for stub in stubs:
        id_sum, url_sum = claim_sum(stub.id), claim_sum(stub.url)
        if id_sum in ids or url_sum in urls:
            return True
        ids.add(id_sum)
        urls.add(url_sum)
    return False


def problems_after(config: Config, saved: Record, problems: list[Problem] | None,
                   change: Change) -> tuple[list[Problem], int]:
    """The post files' problems (the record's, less the changed files', plus theirs; by path, as a full
    build sorts them), and how many files are rejected now. `problems`: the record's, as Problems, if held."""
    kept = problems[saved.notes:] if problems is not None else list(map(Problem._make, saved.problems[saved.notes:]))
    rejected = saved.counts[4]
    for shown in sorted({display_path(config, rel) for rel in change.changed}):
        low = bisect.bisect_left(kept, shown, key=_path)  # a file's problems are together: sorted by path
        high = bisect.bisect_right(kept, shown, lo=low, key=_path)
        rejected -= any(p.severity == "error" for p in kept[low:high])
        del kept[low:high]
    for entry, _post in change.parsed.values():  # a file's problems go where its path sorts (stably, as in full)
        if entry[3]:
            at = bisect.bisect_left(kept, entry[3][0].path, key=_path)
            kept[at:at] = entry[3]
            rejected += any(p.severity == "error" for p in entry[3])
    return kept, rejected


def problems_unchanged(config: Config, saved: Record, problems: Sequence[Problem] | None, change: Change,
                       notes: list[Problem]) -> bool:
    """Whether the walk's notes and every changed file's problems are the record's (then every problem is).
    `problems`: the record's, as Problems, if held."""
    now: dict[str, list[Problem]] = {display_path(config, rel): [] for rel in change.changed}
    for entry, _post in change.parsed.values():
        for problem in entry[3]:
            now.setdefault(problem.path, []).append(problem)
    if problems is None and not saved.notes and not notes:  # the usual: only the changed files' are decoded
        held = rows_of(saved.problem_data, now) if saved.problem_count else {shown: [] for shown in now}
        if held is not None:
            return all(held[shown] == mine for shown, mine in now.items())
    recorded = problems if problems is not None else saved.problems
    if list(notes) != list(recorded[:saved.notes]):
        return False
    posts = recorded[saved.notes:]
    for shown, mine in now.items():
        low = bisect.bisect_left(posts, shown, key=_path)
        if list(posts[low:bisect.bisect_right(posts, shown, lo=low, key=_path)]) != mine:
            return False
    return True


def owners(manifest: Manifest, change: Change) -> None:
    """Forget the ids and addresses the changed files owned; record those their published posts hold now."""
    manifest.update_owners(change.changed, {(kind, key): rel for rel, stub in change.stubs.items()
                                            if change.new_rows[rel][0] == PUBLISHED  # type: ignore[index]
                                            for kind, key in (("id", stub.id), ("url", stub.url))})


def published_after(before: list[Stub], report: BuildReport) -> list[Stub]:
    """Every published post after an incremental build, from those `before` it (newest first, as a full
    build lists them): the files it read again take their new posts' places."""
    again = set(report.read_again)
    after = [s for s in before if s.source not in again]
    for stub in report.published:  # `before` is newest first already: each new one goes where it sorts
        bisect.insort(after, stub, key=feed_order)
    return after
