"""Which engine built this folder, from the files only it writes."""

from __future__ import annotations

import tomllib
from pathlib import Path

# (engine, files that mark it), most specific first; the first present wins.
_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pelican", ("pelicanconf.py",)),
    ("astro", ("astro.config.mjs", "astro.config.ts", "astro.config.js", "astro.config.mts")),
    ("eleventy", ("eleventy.config.js", "eleventy.config.mjs", "eleventy.config.cjs", ".eleventy.js",
                  "eleventy.config.ts")),
    ("jekyll", ("_config.yml", "_config.yaml", "_config.toml")),
    ("hugo", ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config/_default")),
)
ENGINES = ("hugo", "jekyll", "zola", "eleventy", "astro", "pelican")


def detect(root: Path) -> tuple[str, str] | None:
    """(engine, the file that told) for a site folder, or None when no engine is recognised."""
    for engine, markers in _MARKERS:
        for marker in markers:
            if (root / marker).exists():
                return engine, marker
    for name in ("config.toml", "config.yaml", "config.yml", "config.json"):
        if (root / name).is_file():
            return _shared_config(root / name), name
    return None


def _shared_config(path: Path) -> str:
    """config.toml is Zola's (base_url) or Hugo's (baseURL, or anything else)."""
    if path.suffix == ".toml":
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return "hugo"
        if "base_url" in data:
            return "zola"
    return "hugo"
