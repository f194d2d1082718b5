"""Daemon rebuilds with nothing changed, and with one post edited, as the daemon runs them.

Generates N posts (bench/corpus.py), or uses --site (a folder with config.toml, e.g. the shared
race corpus), lets a Daemon do its first build, then times further builds (Builds.run, with the
daemon's memory of its last build: build/warm.py):
- nothing changed, as notified (the watcher saw no post change: no walk);
- nothing changed, the periodic rescan (walks the posts folder);
- one post edited, as notified (inotify named the file: no walk, that post re-planned);
- a new post saved, as notified (what bench_latency.py's saves cost the daemon, in-process);
- for comparison, full no-op builds (brief=False).
Prints each median. Issue 12's target for the daemon: 20 ms with nothing changed at 10,000 posts.

    python bench/bench_daemon_nochange.py [--posts 10000 | --site DIR] [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate  # noqa: E402

from syndicator import config as config_module  # noqa: E402
from syndicator.daemon import Daemon, calls  # noqa: E402


class Median:
    """Median wall-clock and CPU milliseconds of a few calls (CPU time is what a busy machine does not inflate)."""

    def __init__(self, fn, runs: int) -> None:
        wall, cpu = [], []
        for _ in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        self.wall, self.cpu, self.runs = statistics.median(wall) * 1000, statistics.median(cpu) * 1000, runs

    def __str__(self) -> str:
        return f"median {self.wall:.1f} ms wall, {self.cpu:.1f} ms CPU over {self.runs}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--site", type=Path, help="an existing site folder (config.toml): its posts are edited")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="syndicator-nochange-") as tmp:
        config = config_module.load(args.site / "config.toml" if args.site else generate(Path(tmp), args.posts))
        daemon = Daemon(config, crosspost=lambda *a, **k: None, threaded=False)
        start = time.perf_counter()
        assert daemon.build(datetime.now(timezone.utc)), "the first build failed"
        print(f"{args.posts} posts: first build {time.perf_counter() - start:.2f} s", flush=True)

        def daemon_rebuild(changed: set[str] | None) -> None:
            assert daemon.builds.run(config, datetime.now(timezone.utc), changed=changed) is not None

        def full_noop() -> None:
            calls.build(config, now=datetime.now(timezone.utc), brief=False)

        daemon_rebuild(None)  # the full build above may have been too close to the posts' mtimes
        notified = Median(lambda: daemon_rebuild(set()), args.runs)
        assert daemon.builds.report.from_record, "the daemon's rebuild did not use the record"
        walked = Median(lambda: daemon_rebuild(None), args.runs)
        assert daemon.builds.report.from_record, "the daemon's rescan did not use the record"
        names = sorted(p.relative_to(config.posts_dir).as_posix() for p in config.posts_dir.rglob("*.md"))
        edits = iter(names[7::7])

        def edit_one() -> None:
            rel = next(edits)
            with open(config.posts_dir / rel, "a", encoding="utf-8") as handle:
                handle.write("\nEdited for the benchmark.\n")
            daemon_rebuild({rel})
            assert daemon.builds.report.incremental, "the edit was not planned incrementally"

        edited = Median(edit_one, args.runs)
        added = iter(range(args.runs))

        def add_one() -> None:  # as bench_latency.py saves: a new post, written aside and renamed into place
            rel = f"bench-new-{next(added)}.md"
            temp = config.posts_dir / f".{rel}.tmp"
            stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            temp.write_text(f"---\ntitle: New {rel}\ndate: {stamp}\n---\n\nA new post.\n", encoding="utf-8")
            os.replace(temp, config.posts_dir / rel)
            daemon_rebuild({rel})
            assert daemon.builds.report.incremental, "the new post was not planned incrementally"

        new = Median(add_one, args.runs)
        full = Median(full_noop, args.runs)
        print(f"nothing changed, notified (no walk, from the record): {notified}")
        print(f"nothing changed, periodic rescan (walk, record):     {walked}")
        print(f"one post edited, notified (incremental):            {edited}")
        print(f"a new post saved, notified (incremental):           {new}")
        print(f"nothing changed, full no-op build (brief=False):    {full}")
        print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
