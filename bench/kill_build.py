"""SIGKILL `syndicator build` at random moments, with same-size edits and undos between builds.

Each round edits posts (one letter of a title changed, or an earlier edit undone: the file gets
its earlier bytes back, same size), starts a build and kills it after a random delay within
the time a build takes. After every kill each feed file must parse. At the end one normal build
runs, then `build --no-cache`: every feed file must already hold exactly the bytes the clean
build writes (stale files: target 0), and no temporary file may be left (leftovers: target 0).

    python bench/kill_build.py [--posts 2000] [--kills 100] [--seed 1]

Prints the figures. tests/test_build_kills.py runs a small bounded version in the suite.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate  # noqa: E402


@dataclass(frozen=True)
class Figures:
    """What a kill run saw."""

    rounds: int
    kills: int  # builds that were really killed (not finished before the signal)
    checks: int  # feed files parsed after kills
    unparsable: int  # of those, files that did not parse (target 0)
    stale: int  # feed files whose bytes differ from a clean build's after the final build (target 0)
    missing_or_extra: int  # feed files only one of the two builds has (target 0)
    leftovers: int  # temporary files left after the final build (target 0)
    leftovers_before_final: int  # temporary files the killed builds left, before the final build

    def __str__(self) -> str:
        return (f"rounds {self.rounds}, kills {self.kills}, feed files checked {self.checks} "
                f"(unparsable {self.unparsable}), stale files {self.stale}, missing/extra {self.missing_or_extra}, "
                f"leftovers {self.leftovers} (temporary files left by kills before the final build: "
                f"{self.leftovers_before_final})")


def _build(config: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "syndicator", "build", "--config", str(config), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _finish(config: Path, *extra: str) -> float:
    start = time.perf_counter()
    code = _build(config, *extra).wait(timeout=600)
    if code not in (0, 1):
        raise SystemExit(f"build {' '.join(extra)} exited with {code}")
    return time.perf_counter() - start


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def _temp_files(out: Path) -> list[Path]:
    return [p for p in out.rglob(".*.tmp-*")]


def _parses(path: Path) -> bool:
    """The file is a whole feed: JSON with items, or well-formed XML with a feed's root element."""
    data = path.read_bytes()
    if path.suffix == ".json":
        try:
            return isinstance(json.loads(data).get("items"), list)
        except ValueError:
            return False
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return False
    return etree.QName(root).localname in ("rss", "feed", "opml")


class _Editor:
    """Same-size edits to the newest posts' titles, and undos that restore earlier bytes."""

    def __init__(self, posts: list[Path], rng: random.Random) -> None:
        self.posts, self.rng = posts, rng
        self.original = {p: p.read_bytes() for p in posts}

    def step(self) -> None:
        for _ in range(self.rng.randint(1, 3)):
            post = self.rng.choice(self.posts)
            data = post.read_bytes()
            if data != self.original[post] and self.rng.random() < 0.6:
                post.write_bytes(self.original[post])  # the undo: earlier bytes, same size
                continue
            at = data.index(b"title: \"") + len(b"title: \"P")
            letter = bytes([self.rng.choice(b"aeiouy")])
            post.write_bytes(data[:at] + letter + data[at + 1:])


def run(root: Path, *, posts: int, kills: int, seed: int, log=print) -> Figures:
    """Generate a site under root and run the kill rounds on it."""
    rng = random.Random(seed)
    config = generate(root, posts)
    out = root / "feeds"
    _finish(config)
    newest = sorted((root / "posts").rglob("*.md"))[-40:]
    editor = _Editor(newest, rng)
    editor.step()
    took = _finish(config)  # an incremental build: what the kills interrupt
    killed = checks = unparsable = rounds = 0
    while killed < kills and rounds < kills * 4:
        rounds += 1
        editor.step()
        proc = _build(config)
        time.sleep(rng.uniform(0.0, 1.2) * took)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        for path in sorted(out.rglob("*")):
            if path.is_file() and path.suffix in (".xml", ".json", ".opml") and not path.name.startswith("."):
                checks += 1
                unparsable += not _parses(path)
        if rounds % 10 == 0:
            log(f"  round {rounds}: {killed} kills")
    before = len(_temp_files(out))
    _finish(config)
    incremental = _snapshot(out)
    leftovers = len(_temp_files(out))
    _finish(config, "--no-cache")
    clean = _snapshot(out)
    stale = sum(1 for rel in incremental if rel in clean and incremental[rel] != clean[rel])
    return Figures(rounds, killed, checks, unparsable, stale, len(set(incremental) ^ set(clean)),
                   leftovers, before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kill-build-") as tmp:
        start = time.perf_counter()
        figures = run(Path(tmp), posts=args.posts, kills=args.kills, seed=args.seed)
        print(f"{args.posts} posts, seed {args.seed}: {figures} ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
