"""A daemon rebuild with nothing changed (the 5-minute rescan, a touch that changes no post).

Generates N posts (bench/corpus.py), lets a Daemon do its first build, then times further
builds with nothing changed the way the daemon runs them (Builds.run: answered from the last
build's record, build/unchanged.py) and, for comparison, full no-op builds (brief=False).
Prints each median. Issue 12's target for the daemon: 20 ms at 10,000 posts.

    python bench/bench_daemon_nochange.py [--posts 10000] [--runs 7]
"""

from __future__ import annotations

import argparse
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


def _median_ms(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="syndicator-nochange-") as tmp:
        config = config_module.load(generate(Path(tmp), args.posts))
        daemon = Daemon(config, crosspost=lambda *a, **k: None, threaded=False)
        start = time.perf_counter()
        assert daemon.build(datetime.now(timezone.utc)), "the first build failed"
        print(f"{args.posts} posts: first build {time.perf_counter() - start:.2f} s", flush=True)

        def daemon_rebuild() -> None:
            assert daemon.builds.run(config, datetime.now(timezone.utc)) is not None

        def full_noop() -> None:
            calls.build(config, now=datetime.now(timezone.utc), brief=False)

        daemon_rebuild()  # the full build above may have been too close to the posts' mtimes
        brief = _median_ms(daemon_rebuild, args.runs)
        assert daemon.builds.report.from_record, "the daemon's rebuild did not use the record"
        full = _median_ms(full_noop, args.runs)
        print(f"nothing changed, daemon rebuild (from the record): median {brief:.1f} ms over {args.runs}")
        print(f"nothing changed, full no-op build (brief=False):   median {full:.1f} ms over {args.runs}")


if __name__ == "__main__":
    main()
