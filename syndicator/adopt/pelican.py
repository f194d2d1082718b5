"""A Pelican site -> Adoption: pelicanconf.py read as data (assignments of literals, never run)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from .common import author, translate
from .model import Adoption

_TOKENS = {"{slug}": "{slug}", "{date:%Y}": "{year}", "{date:%m}": "{month}", "{date:%d}": "{day}"}


def settings(path: Path) -> dict[str, Any]:
    """NAME = literal assignments of a Python settings file (anything else is skipped)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError):
        return {}
    found: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except (ValueError, SyntaxError, TypeError):
                continue
    return found


def read(root: Path) -> Adoption:
    """Map a Pelican site's settings (publishconf.py's SITEURL and feeds win over pelicanconf.py's)."""
    cfg = settings(root / "pelicanconf.py")
    cfg.update({k: v for k, v in settings(root / "publishconf.py").items() if v})
    a = Adoption("pelican", root, ["pelicanconf.py"], id_rule="pelican",
                 engine_output=str(cfg.get("OUTPUT_PATH") or "output").strip("/"))
    a.put("title", cfg.get("SITENAME"), "pelicanconf.py: SITENAME")
    url = cfg.get("SITEURL")
    a.put("url", url + "/" if isinstance(url, str) and url.startswith("http") else None,
          "publishconf.py / pelicanconf.py: SITEURL")
    a.put("language", cfg.get("DEFAULT_LANG"), "pelicanconf.py: DEFAULT_LANG")
    a.put("timezone", cfg.get("TIMEZONE"), "pelicanconf.py: TIMEZONE")
    if isinstance(cfg.get("AUTHOR"), str):
        entry = author(cfg["AUTHOR"], cfg["AUTHOR"])
        a.add_authors([entry] if entry else [], "pelicanconf.py: AUTHOR")
    a.put("posts", str(cfg.get("PATH") or "content"), "pelicanconf.py: PATH")
    pattern = str(cfg.get("ARTICLE_URL") or "{slug}.html")
    translated, dropped = translate(pattern, _TOKENS)
    a.put("permalink", translated, f"pelicanconf.py: ARTICLE_URL {pattern!r}")
    for token in dropped:
        a.gap(f"ARTICLE_URL {token}", "syndicator's pattern knows {year} {month} {day} {slug}")
    feeds = [cfg.get("FEED_ALL_ATOM", "feeds/all.atom.xml"), cfg.get("FEED_ALL_RSS")]
    a.old_feeds = ["/" + f.lstrip("/") for f in feeds if isinstance(f, str) and f]
    for key, setting, default in _FEEDS:
        value = cfg.get(setting, default)
        if isinstance(value, str) and value:
            a.feed(key, value, f"pelicanconf.py: {setting}")
    return a


# [feeds.paths] key, Pelican setting, Pelican's default (https://docs.getpelican.com/en/latest/settings.html#feed-settings)
_FEEDS = (("atom", "FEED_ALL_ATOM", "feeds/all.atom.xml"), ("rss", "FEED_ALL_RSS", None),
          ("category_atom", "CATEGORY_FEED_ATOM", "feeds/{slug}.atom.xml"), ("category_rss", "CATEGORY_FEED_RSS", None),
          ("tag_atom", "TAG_FEED_ATOM", None), ("tag_rss", "TAG_FEED_RSS", None),
          ("author_atom", "AUTHOR_FEED_ATOM", "feeds/{slug}.atom.xml"),
          ("author_rss", "AUTHOR_FEED_RSS", "feeds/{slug}.rss.xml"))
