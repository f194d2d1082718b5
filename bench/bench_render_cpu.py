"""CPU cost of rendering what the feeds show, per shown post: read the post's text again, render
its body, prepare its entry, write its item in each format a feed lists it in (render_entry); then join the
feed files from the items (emit.py's work, without the writes).

One process, no workers: figures are CPU time (time.process_time) per shown post, so they mean
something on a shared machine too. Each round runs in a freshly forked child (per-process caches
start cold, as in a render worker). The site is scanned once, without a build cache, before the
rounds. Prints min and median µs per shown post over the rounds, per step.

    python bench/bench_render_cpu.py                                 # the shared race corpus
    python bench/bench_render_cpu.py --site DIR --rounds 5
    python bench/bench_render_cpu.py --site DIR --profile            # cProfile of one round
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pickle
import pstats
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from syndicator.build.bodies import with_source
from syndicator.build.emit import _needs
from syndicator.build.plan import PAGE, feed_files, groups, page_file, plans_of, split
from syndicator.build.scan import scan
from syndicator.build.warm import reserve
from syndicator.config import load
from syndicator.posts.content import render_body
from syndicator.render import prepare_entry_once, render_item, render_parts

try:
    from syndicator.render import render_entry
except ImportError:  # a checkout from before render_entry (to compare with)
    def render_entry(entry, formats):
        return {fmt: render_item(fmt, entry) for fmt in formats}

RACE = Path("/tmp/syndicator-race/site-10000")  # made by ../shared/bench/race.sh 10000
STEPS = ("source", "body", "entry", "items", "join")


def shown(site: Path, now: datetime):
    """(config, the shown posts with the formats each is listed in, the feed files)."""
    config = load(site / "config.toml")
    found = scan(config, cache=None)
    stubs, _problems = found.index()
    members = groups(config, split(stubs, now).published, keep=reserve(config.feeds.items))
    plans = plans_of(config, members)
    files = feed_files(config, plans) + [page_file(config, plans)]
    listed, needs = _needs(files)
    posts = found.posts(listed)
    return config, [(post, needs[post.source].formats) for post in posts], [f for f in files if f.fmt != PAGE]


def one_round(config, posts, files) -> dict[str, float]:
    """CPU seconds per step for rendering every shown post once and joining every feed file (with the
    cyclic GC off, as in a build: build/pipeline.py turns it off and the render workers inherit that)."""
    gc.disable()
    spent = dict.fromkeys(STEPS, 0.0)
    owner = config.author(config.site.owner) if config.site.owner else None
    items = {}
    clock = time.process_time
    for post, formats in posts:
        t0 = clock()
        full = with_source(config, [post])[0]
        t1 = clock()
        body = render_body(full, site=config.site, variables=config.reading.site_variables)
        t2 = clock()
        entry = prepare_entry_once(config.site, config.feeds, post, body, owner)
        t3 = clock()
        spent["source"] += t1 - t0
        spent["body"] += t2 - t1
        spent["entry"] += t3 - t2
        for fmt, item in render_entry(entry, formats).items():
            items[fmt, post.source] = item
        spent["items"] += clock() - t3
    t = clock()
    size = 0
    for job in files:
        parts = render_parts(job.fmt, config.site, config.feeds, job.spec,
                             [items[job.fmt, s.source] for s in job.items], owner=owner)
        size += len(b"".join(parts))
    spent["join"] += clock() - t
    spent["bytes"] = size
    return spent


def in_child(job):
    """job() in a forked child (cold caches, as a fresh render worker); its result."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            with os.fdopen(write, "wb") as out:
                pickle.dump(job(), out)
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as got:
        result = pickle.load(got)
    os.waitpid(pid, 0)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=RACE)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    config, posts, files = shown(args.site, datetime(2030, 1, 1, tzinfo=timezone.utc))
    print(f"{args.site}: {len(posts)} shown posts, {len(files)} feed files; load {os.getloadavg()[0]:.1f}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(one_round, config, posts, files)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("SORT", "tottime")).print_stats(int(os.environ.get("TOP", "35")))
        print(out.getvalue())
        return
    rounds = [in_child(lambda: one_round(config, posts, files)) for _ in range(args.rounds)]
    n = len(posts)
    print(f"feed bytes: {rounds[0]['bytes']:,}")
    print("| step | min µs/post | median µs/post |")
    print("| --- | --- | --- |")
    for step in (*STEPS, "total"):
        values = [sum(r[s] for s in STEPS) if step == "total" else r[step] for r in rounds]
        print(f"| {step} | {min(values) / n * 1e6:.0f} | {statistics.median(values) / n * 1e6:.0f} |")
    print(f"load at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
