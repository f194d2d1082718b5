#!/usr/bin/env python3
"""What planning costs the build process at scale: CPU and memory of each step after the scan (issue 12).

    python bench/bench_plan.py SITE [--runs R]

SITE is a site folder that has been built once (its build cache holds every post), e.g.
/tmp/syndicator-race/site-100000 after `python bench/bench_scale.py 100000`. The scan is answered
from the cache; then each planning step of a full build runs R times and the least CPU time
(time.process_time) is printed, with the growth of the process's resident memory the first time:
settling claims and sorting problems (`index`), `split`, `groups`, the warm state, and the
manifest's owners (written once into a fresh manifest, then again with nothing new).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from syndicator.build.cache import Cache  # noqa: E402
from syndicator.build.manifest import Manifest  # noqa: E402
from syndicator.build.plan import groups, split  # noqa: E402
from syndicator.build.scan import scan  # noqa: E402
from syndicator.build.warm import Warm, reserve  # noqa: E402
from syndicator.config import load  # noqa: E402
from syndicator.posts.claims import owners_of  # noqa: E402
from syndicator.posts.walk import discover  # noqa: E402


def rss_mib() -> float:
    """The process's resident memory, MiB."""
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith("VmRSS")) / 1024


def step(name: str, runs: int, work: Callable[[], Any]) -> Any:
    """Run `work` `runs` times; print the least CPU seconds and the first run's memory growth."""
    before, best, result = rss_mib(), float("inf"), None
    for n in range(runs):
        start = time.process_time()
        result = work()
        best = min(best, time.process_time() - start)
        if n == 0:
            grown = rss_mib() - before
    print(f"  {name:22s} CPU {best:6.3f} s   RSS +{grown:5.1f} MiB")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    config = load(args.site / "config.toml")
    gc.disable()  # as the build runs
    cache = Cache(config.state_dir / "cache.sqlite", config.fingerprint, config.authors)
    files = discover(config)
    print(f"{args.site}: load average {os.getloadavg()[0]:.1f}; RSS {rss_mib():.0f} MiB after the walk")
    found = step("scan (from the cache)", 1, lambda: scan(config, cache=cache, discovered=files))
    if found.parsed:
        print(f"  (the cache lacked {found.parsed} posts: build the site once first for a fair figure)")
    stubs, problems = step("index", args.runs, found.index)
    now = datetime.now(timezone.utc)
    posts = step("split", args.runs, lambda: split(stubs, now))
    members = step("groups", args.runs, lambda: groups(config, posts.published, keep=reserve(config.feeds.items)))
    step("warm state", args.runs, lambda: Warm.of(files[0], stubs, members, now=now, clean=True))
    with tempfile.TemporaryDirectory() as folder:
        manifest = Manifest(Path(folder) / "output.sqlite", Path(folder))
        step("owners, fresh manifest", 1, lambda: manifest.set_owners(owners_of(posts.published)))
        step("owners, nothing new", args.runs, lambda: manifest.set_owners(owners_of(posts.published)))
        manifest.close()
    print(f"  {len(found.entries):,} files, {len(posts.published):,} published, {len(problems):,} problems, "
          f"{len(members)} feeds; RSS {rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
