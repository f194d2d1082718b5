#!/usr/bin/env python3
"""Cold `syndicator build`s of two copies of the program, alternating, on one site (issue 12).

    python bench/ab_cold.py SITE BEFORE AFTER [--runs 16]

SITE is a site folder (config.toml and posts/: race.sh leaves one in $WORK/site-N); BEFORE and
AFTER are folders holding a `syndicator` package, e.g. `git archive fa3c0a1 syndicator | tar -x -C
/tmp/before`. Each run deletes everything in SITE but config.toml and posts/ (a cold build), then
runs `python -m syndicator build` there with PYTHONPATH set to the copy; the two alternate (ABBA),
so a machine that drifts slower or faster weighs on both alike. Prints the median and mean wall
time and the median CPU time (user + sys of the command and its workers) of each. Differences of
a few percent need 10 or more runs on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def cold(site: Path, program: Path) -> tuple[float, float]:
    """One cold build of `site` with the program in `program`: (wall, CPU) seconds."""
    for entry in site.iterdir():
        if entry.name in ("config.toml", "posts"):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    env = {**os.environ, "PYTHONPATH": str(program)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "syndicator", "build"], cwd=site, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--runs", type=int, default=16)
    args = parser.parse_args()
    programs = {"before": args.before.resolve(), "after": args.after.resolve()}
    found: dict[str, list[tuple[float, float]]] = {name: [] for name in programs}
    for run in range(args.runs):
        for name in (("before", "after") if run % 2 == 0 else ("after", "before")):
            found[name].append(cold(args.site, programs[name]))
    for name, runs in found.items():
        walls = [wall for wall, _cpu in runs]
        print(f"{name}: median {statistics.median(walls):.3f} s, mean {statistics.mean(walls):.3f} s, "
              f"CPU median {statistics.median(cpu for _wall, cpu in runs):.3f} s ({programs[name]})")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
