"""`syndicator build` after one post was edited, as a command, on a built site (issue 12).

Nothing changed, then two kinds of edit, each a line appended to one post (as bench/race.sh does),
then the command:
- an old post that no feed shows (what race.sh edits: build/edit.py, nothing rendered);
- the newest post (in the site feed and its tag, category and author feeds: the pipeline renders them).
Prints, per kind, the median wall time and the median CPU time (user + sys of the command) of
--runs runs, and the machine's load average: on a shared machine CPU time is the figure to compare.

    python bench/bench_edit.py --site DIR [--runs 7]

DIR holds config.toml and its posts (e.g. the race's $WORK/site-10000); it is built first if needed.
The command is the `syndicator` next to this Python (the venv's).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from syndicator.config import load  # noqa: E402


def _command(site: Path) -> tuple[float, float]:
    """Run `syndicator build` in `site`: (wall, CPU) seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("syndicator")), "build"], cwd=site, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as a user runs it: byte code cached
    return env


def _newest_post(site: Path) -> Path:
    """The post the site feed lists first (its JSON Feed's first item names its address; the file is found by slug)."""
    import json

    config = load(site / "config.toml")
    feed = json.loads((config.feeds.output / "feed.json").read_text(encoding="utf-8"))
    slug = feed["items"][0]["url"].rstrip("/").rpartition("/")[2]
    return next(p for p in sorted(config.posts_dir.rglob(f"{slug}.*")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    site = args.site.resolve()
    _command(site)  # built (and its record left) before the edits
    posts = sorted(p for p in load(site / "config.toml").posts_dir.iterdir() if p.is_file())
    kinds = {"nothing changed": None, "old post, in no feed": lambda i: posts[(i + 1) * 7 % len(posts)],
             "newest post": lambda i: newest}
    newest = _newest_post(site)
    for kind, pick in kinds.items():
        walls, cpus = [], []
        for i in range(args.runs):
            if pick is not None:
                with pick(i).open("a", encoding="utf-8") as post:
                    post.write(f"Edited line {i}.\n")
            wall, cpu = _command(site)
            walls.append(wall)
            cpus.append(cpu)
        print(f"{kind:22s} wall {statistics.median(walls) * 1000:6.0f} ms  CPU {statistics.median(cpus) * 1000:6.0f} ms"
              f"  (median of {args.runs}; load average {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()
