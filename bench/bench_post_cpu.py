"""CPU cost of reading ONE post as a scan worker does: read the file, parse it into its entry
and Post, serialize the Post for the cache and the entries of each 64-file batch for the pipe.

One process, no workers: the figure is CPU time (time.process_time) per post, so it means
something on a shared machine too. Each round runs in a freshly forked child, as a scan worker
is, so per-process caches start cold every round. Prints min and median µs/post over the rounds.

    python bench/bench_post_cpu.py                      # the shared race corpus and bench/corpus.py's
    python bench/bench_post_cpu.py --site DIR --rounds 5 --limit 3000
    python bench/bench_post_cpu.py --site DIR --profile  # cProfile of one round, top functions
    python bench/bench_post_cpu.py --site DIR --as-scan  # build/scan.py's own worker code, as a build runs it

By default each post is serialized for the cache, as the worker did before it kept a shortlist. `--as-scan`
runs build/scan.py's worker function itself: the cyclic GC off and the renderers loaded (as in a
build's worker, forked from a parent that has them), the posts kept in a shortlist and written to a
throwaway cache with the entries' batches (SQLite included), so it is the worker's whole CPU per post.
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
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate  # noqa: E402

from syndicator.build.cache import Cache, PostWriter, dumps  # noqa: E402
from syndicator.config import load  # noqa: E402
from syndicator.posts.loader import discover, parse_file  # noqa: E402

RACE = Path("/tmp/syndicator-race/site-10000")  # made by ../shared/bench/race.sh 10000
_CHUNK = 64  # files per worker task, as build/scan.py hands them out


def worker_job(config, rels: list[str]) -> int:
    """What a scan worker does for these files; returns the bytes it would store or send."""
    size = 0
    for start in range(0, len(rels), _CHUNK):
        pairs = []
        for rel in rels[start:start + _CHUNK]:
            entry, post = parse_file(config, rel)
            pairs.append((rel, entry))
            if post is not None:
                size += len(dumps(post, config.authors))
        size += len(dumps(pairs, config.authors))
    return size


def scan_job(config, rels: list[str], cache_dir: Path) -> int:
    """What build/scan.py's worker does for these files, in this process: parse each task, store the
    entries' batches and, at the end, the shortlisted posts in a cache; returns the bytes of the batches."""
    from datetime import datetime, timezone

    from syndicator.build.scan import _CHUNK as chunk, Parsing, _parse_chunk, _store_shortlist, _tasks
    from syndicator.build.shortlist import Shortlist
    from syndicator.build.warm import reserve

    gc.disable()  # as build/pipeline.py runs a build
    cache = Cache(cache_dir / f"cache-{os.getpid()}.sqlite", "bench", config.authors)
    held = Shortlist(config, now=datetime.now(timezone.utc), keep=reserve(config.feeds.items))
    work = Parsing(config, PostWriter(cache.path), os.getppid(), time.time_ns(), held)
    size = sum(len(_parse_chunk(work, task)[0]) for task in _tasks(rels, chunk))
    _store_shortlist(work)
    return size


def _in_child(job) -> object:
    """Run job() in a forked child (cold per-process caches, as a fresh worker) and return its result."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        try:
            result = job()
        except BaseException as exc:  # noqa: BLE001 - reported by the parent
            result = exc
        with os.fdopen(write, "wb") as out:
            pickle.dump(result, out)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as got:
        result = pickle.load(got)
    os.waitpid(pid, 0)
    if isinstance(result, BaseException):
        raise result
    return result


def _round(config, rels: list[str], cache_dir: Path | None) -> tuple[float, int]:
    start = time.process_time()
    size = worker_job(config, rels) if cache_dir is None else scan_job(config, rels, cache_dir)
    return time.process_time() - start, size


def _profile(config, rels: list[str], top: int) -> str:
    profiler = cProfile.Profile()
    profiler.runcall(worker_job, config, rels)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime")
    stats.print_stats(top)
    return out.getvalue()


def measure(name: str, config_path: Path, *, rounds: int, limit: int | None, profile: int, as_scan: bool) -> None:
    """Print µs/post of CPU for the worker's job over one site's posts."""
    config = load(config_path)
    rels = sorted(discover(config)[0])[:limit]
    if profile:
        print(_in_child(lambda: _profile(config, rels, profile)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-post-cpu-cache-") as scratch:
        if as_scan:
            import syndicator.build.shortlist  # noqa: F401 - a build's parent has it (and the renderers) before forking
        cache_dir = Path(scratch) if as_scan else None
        runs = [_in_child(lambda: _round(config, rels, cache_dir)) for _ in range(rounds)]
    name += " (as build/scan.py's worker)" if as_scan else ""
    per_post = [cpu / len(rels) * 1e6 for cpu, _size in runs]
    load_avg = os.getloadavg()[0]
    print(f"{name}: {len(rels)} posts, {rounds} rounds, CPU per post min {min(per_post):.1f} µs, "
          f"median {statistics.median(per_post):.1f} µs; {runs[0][1] / len(rels):.0f} bytes/post "
          f"serialized; load average {load_avg:.2f}")


def main() -> None:
    """Measure the race corpus (if made) and bench/corpus.py's corpus."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="A site folder with config.toml (default: both corpora).")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=int, help="Only the first N posts (in path order).")
    parser.add_argument("--bench-posts", type=int, default=3000, help="Size of bench/corpus.py's corpus.")
    parser.add_argument("--profile", type=int, default=0, metavar="TOP",
                        help="Instead of timing, print the TOP functions by own time under cProfile.")
    parser.add_argument("--as-scan", action="store_true",
                        help="Run build/scan.py's worker code (shortlist, cache writes, GC off) instead.")
    args = parser.parse_args()
    options = {"rounds": args.rounds, "limit": args.limit, "profile": args.profile, "as_scan": args.as_scan}
    if args.site:
        measure(args.site.name, args.site / "config.toml", **options)
        return
    if (RACE / "config.toml").exists():
        measure(f"race corpus ({RACE})", RACE / "config.toml", **options)
    else:
        print(f"race corpus: {RACE} missing (run ../shared/bench/race.sh 10000 once)")
    with tempfile.TemporaryDirectory(prefix="bench-post-cpu-") as root:
        config = generate(Path(root), args.bench_posts)
        measure(f"bench/corpus.py ({args.bench_posts} posts)", config, **options)


if __name__ == "__main__":
    main()
