"""Generate a synthetic site for benchmarks: N posts of about 1,000 words of realistic Markdown
with YAML front matter, tags from a vocabulary of 50, five authors, a few categories.

Deterministic for a given N (seeded), so runs are comparable.
"""

from __future__ import annotations

import os
import random
from datetime import datetime, timedelta
from pathlib import Path

WORDS = ("the of and to in is that for it as was with be by on not he this are or his from at "
         "which but have an they you were her she there been one all we their has would when if "
         "so no will can more about time said out up other into could some what them only then "
         "like its over also new any these two may first after most made well such way even "
         "craft learning garden boat timber plane chisel sketch draft review letter studio "
         "maintenance habit notebook question answer teacher student workshop season harbour").split()
TAGS = [f"topic-{i:02d}" for i in range(45)] + ["café", "日本語", "naïve", "العربية", "emoji-🎉"]
CATEGORIES = ["Essays", "Notes", "Letters", "Reviews", "Links"]
AUTHORS = ["ada", "ben", "chen", "dara", "emil"]

CONFIG = """
[site]
title = "Bench Site"
url = "https://bench.example/"
timezone = "Europe/Stockholm"
author = "ada"
license = "https://creativecommons.org/licenses/by/4.0/"

{authors}

[feeds]
per_tag = true
per_category = true
per_author = true
"""


def _paragraph(rng: random.Random, words: int) -> str:
    out = []
    for i in range(words):
        word = rng.choice(WORDS)
        if i % 23 == 5:
            word = f"*{word}*"
        elif i % 41 == 7:
            word = f"[{word}](/notes/{word}/)"
        out.append(word)
    text = " ".join(out)
    return text[0].upper() + text[1:] + "."


def _post(rng: random.Random, n: int, start: datetime) -> str:
    date = start + timedelta(hours=7 * n, minutes=rng.randrange(60))
    tags = rng.sample(TAGS, rng.randint(1, 4))
    author = AUTHORS[n % len(AUTHORS)]
    body = [f"## Part {j + 1}\n\n" + "\n\n".join(_paragraph(rng, 80) for _ in range(3))
            for j in range(4)]
    body.insert(2, "- first point\n- second point with `code`\n- third point\n")
    body.append("> A quotation to close, with a footnote.[^1]\n\n[^1]: The footnote text.")
    tag_list = ", ".join(f'"{t}"' for t in tags)
    return (f"---\ntitle: \"Post number {n}: {rng.choice(WORDS)} and {rng.choice(WORDS)}\"\n"
            f"date: {date.isoformat()}\nauthor: {author}\ntags: [{tag_list}]\n"
            f"categories: [{rng.choice(CATEGORIES)}]\n"
            f"image:\n  url: /img/{n}.jpg\n  alt: Image {n}\n  credit: {{name: Photographer {n % 7}, source: Unsplash}}\n"
            f"---\n\n" + "\n\n".join(body) + "\n")


def generate(root: Path, n: int) -> Path:
    """Write config.toml and posts/ for n posts under root; returns the config path.

    The posts get an old mtime, as on a real site: a file changed less than a second before a
    build is parsed again by the next one (the build cache's "racy clean" rule).
    """
    rng = random.Random(n)
    posts = root / "posts"
    posts.mkdir(parents=True, exist_ok=True)
    start = datetime(2015, 1, 1, 8, 0)
    for i in range(n):
        folder = posts / f"{2015 + i * 7 // 8760}"
        folder.mkdir(exist_ok=True)
        path = folder / f"post-{i:05d}.md"
        path.write_text(_post(rng, i, start), encoding="utf-8")
        os.utime(path, (1_600_000_000, 1_600_000_000))
    authors = "\n".join(f'[authors.{a}]\nname = "{a.title()} Example"\nurl = "/about/{a}/"\n'
                        f'avatar = "/avatars/{a}.jpg"\nbio = "{a.title()} writes about *things*."\n'
                        for a in AUTHORS)
    config = root / "config.toml"
    config.write_text(CONFIG.format(authors=authors), encoding="utf-8")
    return config
