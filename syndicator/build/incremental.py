"""Plan a build from the last one's warm state when only a few post files changed (issue 12).

The files whose size or mtime differ from the record's (and those too close to its scan to
trust: see build/cache.py's RACY_NS) are read again; every other post is known from the warm
state. The changed files' posts leave every feed and their new versions join the feeds they
belong to (build/plan.py's regroup). Anything this cannot settle exactly as a full build would
answers None, and the build runs in full: a claim on another file's id or address, a feed cut
short that ran out of reserve, too many changed files, a clock that went back, the record
expired (a post came due).
"""

from __future__ import annotations

import bisect
import logging
from operator import itemgetter
from datetime import datetime, timezone
from typing import Iterable

from ..config import Config
from ..posts.loader import FileEntry, Stub, display_path, parse_file
from ..posts.problem import Problem
from .cache import RACY_NS, Cache, dumps
from .manifest import Manifest
from .plan import DRAFT, FUTURE, PUBLISHED, feed_order, regroup
from .planned import Planned
from .report import BuildReport
from .scan import Scan
from .unchanged import Record
from .warm import Placed, Warm, claim_sum, placed, reserve

logger = logging.getLogger(__name__)
MAX_CHANGED = 64  # more changed files than this: a full build (it parses them on both cores)
_Discovered = tuple[dict[str, tuple[int, int]], list[Problem]]


def changed_files(saved: Record, old: dict[str, tuple[int, int]], files: dict[str, tuple[int, int]]) -> list[str]:
    """Post files added, removed or changed since `old`, and those changed too close to the record's scan."""
    racy = saved.scan_started_ns - RACY_NS
    changed = {rel for rel, _seen in files.items() ^ old.items()} if files != old else set()
    if max(map(itemgetter(1), files.values()), default=0) >= racy:
        changed.update(rel for rel, (_size, mtime) in files.items() if mtime >= racy)
    return sorted(changed)


def plan_changes(config: Config, now: datetime, cache: Cache, saved: Record, warm: Warm | None,
                 discovered: _Discovered, *, started_ns: int, problems: list[Problem] | None = None) -> Planned | None:
    """The plan for the files changed since `saved`, or None when a full build must run. `warm` and
    `problems`: its warm state and its problems as Problems, when the caller holds them (else read from it)."""
    files, notes = discovered
    warm = warm or Warm.loads(saved.warm, config.authors)
    cutoff = now.timestamp()
    if warm is None or not warm.clean or cutoff >= saved.valid_until or cutoff < warm.built_at:
        return None
    changed = changed_files(saved, warm.files, files)
    if len(changed) > MAX_CHANGED:
        return None
    parsed = {rel: parse_file(config, rel) for rel in changed if rel in files}
    stubs = {rel: entry[2] for rel, (entry, _post) in parsed.items() if entry[2] is not None}
    if _claimed(warm.posts, changed, stubs.values()):
        return None
    posts = {rel: p for rel, p in warm.posts.items() if rel not in parsed and rel in files}
    posts.update((rel, placed(stub, cutoff)) for rel, stub in stubs.items())
    fresh = [stub for rel, stub in sorted(stubs.items()) if posts[rel][0] == PUBLISHED]
    members = regroup(config, warm.groups, removed=set(changed), added=fresh, keep=reserve(config.feeds.items))
    if members is None:
        return None
    cache.save_changes({rel: (dumps(entry, config.authors), None if post is None else dumps(post, config.authors))
                        for rel, (entry, post) in parsed.items()}, [rel for rel in changed if rel not in files])
    cache.mark_scan(started_ns)
    pickled = {rel: dumps(post, config.authors) for rel, (_entry, post) in parsed.items() if post is not None}
    states = [p[0] for p in posts.values()]
    due = min((p[3] for p in posts.values() if p[3] is not None), default=None)
    return Planned(
        found=Scan(config, {}, pickled, cache), published=fresh, published_count=states.count(PUBLISHED),
        drafts=states.count(DRAFT), future=states.count(FUTURE),
        next_due=datetime.fromtimestamp(due, timezone.utc) if due is not None else None,
        problems=notes + _problems(config, saved, problems, changed, parsed.values()), notes=len(notes), groups=members,
        warm=Warm(cutoff, files, posts, members, True),
        owners=lambda manifest: _owners(manifest, posts, changed, stubs),
        scan_started_ns=started_ns, incremental=True, read_again=tuple(changed))


def _claimed(before: dict[str, Placed], changed: list[str], stubs: Iterable[Stub]) -> bool:
    """Whether a changed file's post may claim an id or address another file holds (or another changed file claims)."""
    stubs = list(stubs)
    if all(before.get(s.source, ("",))[1:3] == (claim_sum(s.id), claim_sum(s.url)) for s in stubs):
        return False  # each keeps the claims it held: they were settled then
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


def _problems(config: Config, saved: Record, problems: list[Problem] | None, changed: list[str],
              parsed: Iterable[tuple[FileEntry, object]]) -> list[Problem]:
    """The post files' problems: the record's, less the changed files', plus theirs; by path, as a full build sorts them."""
    shown = {display_path(config, rel) for rel in changed}
    kept = [p for p in problems[saved.notes:] if p.path not in shown] if problems is not None else \
        list(map(Problem._make, (p for p in saved.problems[saved.notes:] if p[0] not in shown)))
    for entry, _post in parsed:  # a file's problems go where its path sorts (a full build sorts by path, stably)
        if entry[3]:
            at = bisect.bisect_left(kept, entry[3][0].path, key=itemgetter(0))
            kept[at:at] = entry[3]
    return kept


def _owners(manifest: Manifest, after: dict[str, Placed], changed: list[str], stubs: dict[str, Stub]) -> None:
    """Forget the ids and addresses the changed files owned; record those their published posts hold now."""
    manifest.update_owners(changed, {(kind, key): rel for rel, stub in stubs.items() if after[rel][0] == PUBLISHED
                                     for kind, key in (("id", stub.id), ("url", stub.url))})


def published_after(before: list[Stub], report: BuildReport) -> list[Stub]:
    """Every published post after an incremental build, from those `before` it (newest first, as a full
    build lists them): the files it read again take their new posts' places."""
    again = set(report.read_again)
    after = [s for s in before if s.source not in again]
    for stub in report.published:  # `before` is newest first already: each new one goes where it sorts
        bisect.insort(after, stub, key=feed_order)
    return after
