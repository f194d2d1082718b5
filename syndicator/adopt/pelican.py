"""A Pelican site -> Adoption: pelicanconf.py read as data (assignments of literals, never run).

publishconf.py (what `make publish` builds with) wins over pelicanconf.py for the values it
sets. Pelican's defaults apply where neither file sets a value: content in PATH ("content/" when
there is one, as pelican-quickstart's Makefile passes it, else "."),
articles everywhere in it but PAGE_PATHS (["pages"]) and STATIC_PATHS (["images"]), article
links ARTICLE_URL ("{slug}.html"), a post's folder as its category (USE_FOLDER_AS_CATEGORY),
else DEFAULT_CATEGORY ("misc"), and the site feed at FEED_ALL_ATOM ("feeds/all.atom.xml").
"""

from __future__ import annotations

import ast
import posixpath
from pathlib import Path
from typing import Any

from .common import author, translate
from .model import Adoption, Row

_TOKENS = {"{slug}": "{slug}", "{date:%Y}": "{year}", "{date:%m}": "{month}", "{date:%d}": "{day}",
           "{category}": "{category}", "{author}": "{author}", "{lang}": "{lang}"}  # reader.py fills the last three
_DEFAULTS: dict[str, Any] = {
    "PATH": ".", "ARTICLE_PATHS": [""], "PAGE_PATHS": ["pages"], "STATIC_PATHS": ["images"],
    "ARTICLE_EXCLUDES": [], "ARTICLE_URL": "{slug}.html", "ARTICLE_SAVE_AS": "{slug}.html",
    "USE_FOLDER_AS_CATEGORY": True, "DEFAULT_CATEGORY": "misc", "OUTPUT_PATH": "output",
    "ARTICLE_LANG_URL": "{slug}-{lang}.html", "DEFAULT_LANG": "en", "FEED_ALL_ATOM": "feeds/all.atom.xml", "SLUGIFY_SOURCE": "title",
    "FILENAME_METADATA": r"(?P<date>\d{4}-\d{2}-\d{2}).*",
}
# Settings that change what Pelican publishes and syndicator cannot follow: setting -> why.
_UNFOLLOWED = {
    "PLUGINS": "plugins are Python code and are not run (directives or metadata they add are not read)",
    "DEFAULT_DATE": "a date for posts that have none (or the file's time) is not applied; "
                    "such posts are reported",
    "PATH_METADATA": "metadata taken from paths by a pattern is not read",
    "EXTRA_PATH_METADATA": "metadata given to paths in the config is not read",
    "DEFAULT_METADATA": "metadata given to every post in the config is not read",
    "RST_GLOBAL_INCLUDES": "reST text included into every post is not read",
}


def settings(path: Path) -> dict[str, Any]:
    """NAME = literal assignments of a Python settings file (anything else is skipped).

    Assignments inside a top-level `if` (often `if os.environ.get("PUBLISH")`: a publishconf.py
    within pelicanconf.py) fill in the names the file otherwise leaves empty ("" or None).
    """
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError, MemoryError, RecursionError):
        return {}
    found = _literals(tree.body)
    for node in tree.body:
        if isinstance(node, ast.If):
            found.update({k: v for k, v in _literals(node.body).items() if found.get(k) in (None, "")})
    return found


def _literals(body: list[ast.stmt]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for node in body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
    return found


def read(root: Path) -> Adoption:
    """Map a Pelican site's settings: site, authors, posts folder, links, categories, feeds."""
    own = settings(root / "pelicanconf.py")
    publish = {k: v for k, v in settings(root / "publishconf.py").items() if v not in (None, "")}
    cfg = {**_DEFAULTS, **own, **publish}
    if "PATH" not in own and "PATH" not in publish and (root / "content").is_dir():
        cfg["PATH"] = "content"  # what pelican-quickstart's Makefile and tasks.py pass
    files = ["pelicanconf.py"] + (["publishconf.py"] if (root / "publishconf.py").is_file() else [])
    a = Adoption("pelican", root, files, id_rule="pelican",
                 engine_output=str(cfg.get("OUTPUT_PATH") or "output").strip("/") or "output")
    where = "publishconf.py" if "SITEURL" in publish else "pelicanconf.py"
    a.put("title", _text(cfg.get("SITENAME")), "pelicanconf.py: SITENAME")
    url = _text(cfg.get("SITEURL"))
    a.put("url", url.rstrip("/") + "/" if url and url.startswith(("http://", "https://")) else None,
          f"{where}: SITEURL")
    a.put("language", _text(cfg.get("DEFAULT_LANG")), "pelicanconf.py: DEFAULT_LANG")
    a.put("timezone", _text(cfg.get("TIMEZONE")), "pelicanconf.py: TIMEZONE")
    if _text(cfg.get("AUTHOR")):
        entry = author(cfg["AUTHOR"], cfg["AUTHOR"])
        a.add_authors([entry] if entry else [], "pelicanconf.py: AUTHOR")
    _posts(a, cfg)
    _permalink(a, cfg)
    _feeds(a, cfg)
    for name, why in _UNFOLLOWED.items():
        if own.get(name) or publish.get(name):
            a.gap(name, why)
    if "title" in _list(cfg.get("FORMATTED_FIELDS")):
        a.reading["markdown_title"] = True
        a.rows.append(_row("[posts] markdown_title", "true", "FORMATTED_FIELDS has 'title'"))
    if cfg.get("SLUGIFY_SOURCE") != "title":
        a.gap(f"SLUGIFY_SOURCE {cfg['SLUGIFY_SOURCE']!r}", "slugs are made from titles, Pelican's default")
    if cfg.get("FILENAME_METADATA") != _DEFAULTS["FILENAME_METADATA"]:
        a.gap("FILENAME_METADATA", "only a YYYY-MM-DD date at the start of a file name is read")
    return a


def _posts(a: Adoption, cfg: dict[str, Any]) -> None:
    """posts folder (PATH + the one ARTICLE_PATHS entry), what in it is not a post, categories."""
    content = posixpath.normpath(_text(cfg.get("PATH")) or ".")
    paths = [p for p in _list(cfg.get("ARTICLE_PATHS")) if isinstance(p, str)] or [""]
    if len(paths) > 1:
        a.gap(f"ARTICLE_PATHS {paths!r}", f"one posts folder is read: {content} (all of PATH)")
        paths = [""]
    posts = posixpath.normpath(posixpath.join(content, paths[0].strip("/")))
    a.put("posts", posts, "pelicanconf.py: PATH" + (" + ARTICLE_PATHS" if paths[0].strip("/") else ""))
    excluded = set()
    for name in ("PAGE_PATHS", "STATIC_PATHS", "ARTICLE_EXCLUDES"):
        for folder in _list(cfg.get(name)):
            inside = posixpath.relpath(posixpath.join(content, str(folder).strip("/")), posts)
            if str(folder).strip("/") and not inside.startswith(".."):
                excluded.add(inside)
    if excluded:
        a.reading["exclude"] = sorted(excluded)
        a.rows.append(_row("[posts] exclude", ", ".join(sorted(excluded)),
                           "PAGE_PATHS, STATIC_PATHS, ARTICLE_EXCLUDES"))
    folder = posixpath.basename(posts) if posts != content else ""
    if cfg.get("USE_FOLDER_AS_CATEGORY"):
        a.reading["folder_category"] = True
    default = folder if folder and cfg.get("USE_FOLDER_AS_CATEGORY") else _text(cfg.get("DEFAULT_CATEGORY"))
    if default:
        a.reading["default_category"] = default
        a.rows.append(_row("[posts] default_category", default,
                           "ARTICLE_PATHS folder" if default == folder else "DEFAULT_CATEGORY"))


def _permalink(a: Adoption, cfg: dict[str, Any]) -> None:
    pattern = _text(cfg.get("ARTICLE_URL")) or "{slug}.html"
    translated, dropped = translate(pattern, _TOKENS)
    a.put("permalink", translated, f"pelicanconf.py: ARTICLE_URL {pattern!r}")
    for token in dropped:
        a.gap(f"ARTICLE_URL {token}", "syndicator's pattern knows {year} {month} {day} {slug} {category} "
                                      "{author} {lang}")
    lang_pattern = _text(cfg.get("ARTICLE_LANG_URL")) or ""
    lang_url, dropped = translate(lang_pattern, _TOKENS)
    if lang_pattern and not dropped:
        a.reading["lang_permalink"] = lang_url
        a.rows.append(_row("[posts] lang_permalink", lang_url, f"ARTICLE_LANG_URL {lang_pattern!r}"))
    elif lang_pattern:
        a.gap(f"ARTICLE_LANG_URL {lang_pattern!r}", "posts in other languages get [site] permalink")
    save_as = _text(cfg.get("ARTICLE_SAVE_AS")) or ""
    if save_as and save_as.removesuffix("index.html") != pattern.removesuffix("index.html"):
        a.gap(f"ARTICLE_SAVE_AS {save_as!r}", f"Pelican's feeds link ARTICLE_URL {pattern!r}; so do syndicator's")


def _feeds(a: Adoption, cfg: dict[str, Any]) -> None:
    feeds = [cfg.get("FEED_ALL_ATOM"), cfg.get("FEED_ALL_RSS")]
    a.old_feeds = ["/" + f.lstrip("/") for f in feeds if isinstance(f, str) and f]
    for key, setting, default in _FEEDS:  # where each feed was, for init's --keep-feed-paths
        value = cfg.get(setting, default)
        if isinstance(value, str) and value:
            a.feed(key, value, f"pelicanconf.py: {setting}")
    most = cfg.get("FEED_MAX_ITEMS")
    if isinstance(most, int) and not isinstance(most, bool) and most > 0:
        a.feed_items = most
        a.rows.append(_row("[feeds] items", str(most), "FEED_MAX_ITEMS"))
    else:
        a.gap("FEED_MAX_ITEMS", "Pelican's feeds list every post; syndicator's the newest [feeds] items (20)")
    domain = _text(cfg.get("FEED_DOMAIN"))
    if domain and domain.rstrip("/") + "/" != a.site.get("url"):
        a.gap(f"FEED_DOMAIN {domain!r}", "feed links use [site] url")


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []


def _row(setting: str, value: str, source: str) -> Row:
    return Row(setting, value, f"pelicanconf.py: {source}")


# [feeds.paths] key, Pelican setting, Pelican's default (https://docs.getpelican.com/en/latest/settings.html#feed-settings)
_FEEDS = (("atom", "FEED_ALL_ATOM", "feeds/all.atom.xml"), ("rss", "FEED_ALL_RSS", None),
          ("category_atom", "CATEGORY_FEED_ATOM", "feeds/{slug}.atom.xml"), ("category_rss", "CATEGORY_FEED_RSS", None),
          ("tag_atom", "TAG_FEED_ATOM", None), ("tag_rss", "TAG_FEED_RSS", None),
          ("author_atom", "AUTHOR_FEED_ATOM", "feeds/{slug}.atom.xml"),
          ("author_rss", "AUTHOR_FEED_RSS", "feeds/{slug}.rss.xml"))
