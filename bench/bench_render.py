#!/usr/bin/env python3
"""The render and write stages (build/emit.py) and the whole build's memory, on the shared corpus.

    python bench/bench_render.py [N ...] [--runs R] [--huge-mib 9]     (default N: 10000)
    (SHARED=/path/to/shared when the steering folder is not beside the clone, as for bench_scale.py)

For each N (the shared corpus, made by ../shared/bench/make_corpus.py as bench_scale.py does, in
a folder of this script's own): a cold `build()` in a fresh process, with the stage timings it
reports, the CPU seconds of the whole process (user+sys, worker threads included; forked
workers separately) and the peak of the whole process tree's PSS (bench_scale's sampler). Then
a site of 50 corpus posts plus one post of --huge-mib MiB of Markdown, cold, the same way.
On a shared machine the wall times vary with the load; the CPU seconds much less.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_scale import SHARED_BENCH, _tree_pss, corpus  # noqa: E402

PHASE = r"""
import json, resource, sys, time
from datetime import datetime, timezone
from syndicator.config import load
from syndicator.build import build
config = load(sys.argv[1])
report = build(config, now=datetime(2030, 1, 1, tzinfo=timezone.utc))
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"timings": report.timings, "written": len(report.written), "failed": getattr(report, "failed", 0),
                  "cpu": me.ru_utime + me.ru_stime, "cpu_workers": kids.ru_utime + kids.ru_stime}))
"""


def cold(site: Path) -> dict:
    """One cold build of `site` in a fresh process: its report's figures and the tree's peak PSS."""
    for name in ("feeds", ".syndicator"):
        shutil.rmtree(site / name, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.Popen([sys.executable, "-c", PHASE, str(site / "config.toml")], stdout=subprocess.PIPE,
                            env=env, cwd=site)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_pss(proc.pid))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"bench_render: the build failed ({proc.returncode}) in {site}")
    return {**json.loads(out), "pss_mib": peak[0] / 2**20}


def corpus_site(n: int, into: Path) -> Path:
    """A site of the shared corpus's n posts, with the corpus authors in the project's config.toml."""
    source = corpus(n)
    site = into / f"site-{n}"
    site.mkdir(parents=True)
    shutil.copy(HERE.parent / "config.toml", site / "config.toml")
    shutil.copytree(source / "posts", site / "posts")
    subprocess.run([sys.executable, str(SHARED_BENCH / "corpus_config.py"), str(site / "config.toml"),
                    str(source / "authors.yaml")], check=True)
    return site


def huge_site(mib: float, into: Path) -> Path:
    """50 corpus posts and one post whose Markdown body is `mib` MiB (its paragraphs repeated)."""
    small = corpus_site(1000, into / "huge")
    posts = sorted((small / "posts").iterdir())
    for extra in posts[50:]:
        extra.unlink()
    text = posts[0].read_text(encoding="utf-8")
    _, front, body = text.split("---", 2)
    front = re.sub(r"\ndate: [^\n]*", "\ndate: 2029-12-01T00:00:00Z", front, count=1)  # the newest post
    (small / "posts" / "huge.md").write_text(f"---{front}---{body * int(mib * 2**20 / len(body))}", encoding="utf-8")
    return small


def show(label: str, runs: list[dict]) -> None:
    """One table row: medians of the runs (the peak memory: the largest)."""
    med = {k: statistics.median(r["timings"][k] for r in runs) for k in runs[0]["timings"]}
    print(f"| {label} | " + " / ".join(f"{med.get(k, 0):.3f}" for k in ("bodies", "render", "write"))
          + f" | {statistics.median(r['cpu'] for r in runs):.2f} + {statistics.median(r['cpu_workers'] for r in runs):.2f}"
          + f" | {max(r['pss_mib'] for r in runs):.0f} MiB | {runs[0]['written']} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--huge-mib", type=float, default=9)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    print("| site | bodies / render / write (s, wall) | CPU s (process + forked workers) | peak tree PSS | files |")
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        for n in args.sizes:
            site = corpus_site(n, Path(tmp))
            show(f"{n:,} posts, cold", [cold(site) for _ in range(args.runs)])
        site = huge_site(args.huge_mib, Path(tmp))
        show(f"50 posts + one {args.huge_mib:g} MiB post, cold", [cold(site) for _ in range(args.runs)])
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
