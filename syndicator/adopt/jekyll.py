"""A Jekyll site -> Adoption: _config.yml, _data/authors.yml, _posts/ and jekyll-feed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..posts.slugs import slugify
from .common import author, authors_from, first_file, read_data, translate
from .model import Adoption

# Jekyll's named permalink styles (https://jekyllrb.com/docs/permalinks/#built-in-formats).
_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
_SITE_KEY = re.compile(r"\{\{-?\s*site\.(\w+)")
_TOKENS = {":year": "{year}", ":month": "{month}", ":day": "{day}", ":title": "{slug}",
           ":slug": "{slug}", ":output_ext": ".html"}


def read(root: Path) -> Adoption:
    """Map a Jekyll site's settings."""
    found = first_file(root, ("_config.yml", "_config.yaml", "_config.toml"))
    cfg = (read_data(found) if found else None) or {}
    a = Adoption("jekyll", root, [found.name] if found else [], id_rule="jekyll",
                 engine_output=str(cfg.get("destination") or "_site"))
    where = found.name if found else "_config.yml"
    a.put("title", cfg.get("title") or cfg.get("name"), f"{where}: title")
    url = str(cfg.get("url") or "").rstrip("/")
    base = str(cfg.get("baseurl") or "").strip("/")
    a.put("url", f"{url}/{base}/" if url and base else (url + "/" if url else None), f"{where}: url + baseurl")
    a.put("description", cfg.get("description"), f"{where}: description")
    a.put("language", cfg.get("lang") or cfg.get("locale"), f"{where}: lang")
    a.put("timezone", cfg.get("timezone"), f"{where}: timezone")
    _authors(a, cfg, root, where)
    _posts(a, cfg, root, base, where)
    if cfg.get("excerpt_separator"):
        a.site["excerpt_separator"] = str(cfg["excerpt_separator"])
        a.rows.append(_row("[posts] excerpt_separator", cfg["excerpt_separator"], where))
    used = _site_keys(root / str(cfg.get("collections_dir") or "") / "_posts")
    variables = {str(k): str(v) for k, v in cfg.items() if k in used and k not in ("url", "baseurl")
                 and isinstance(v, (str, int, float)) and not isinstance(v, bool)}
    if variables:
        a.site["site_variables"] = variables
        a.rows.append(_row("[posts] site_variables", ", ".join(sorted(variables)), f"{where}: for {{{{ site.KEY }}}}"))
    plugins = list(cfg.get("plugins") or []) + list(cfg.get("gems") or [])
    if "jekyll-feed" in plugins:
        feed = cfg.get("feed") or {}
        a.old_feeds = ["/" + str(feed.get("path") or "feed.xml").lstrip("/")]
        a.old_feeds += [f"/feed/{c}.xml" for c in feed.get("categories") or [] if isinstance(c, str)]
        a.feed("atom", a.old_feeds[0], f"jekyll-feed: {'feed.path' if feed.get('path') else 'its default'}")
        if feed.get("categories"):
            a.feed("category_atom", "feed/{slug}.xml", "jekyll-feed: feed.categories")
            for name in (c for c in feed["categories"] if isinstance(c, str) and slugify(c) != c):
                a.gap(f"/feed/{name}.xml", f"jekyll-feed names the file as the category is spelled; syndicator "
                      f"writes it at /feed/{slugify(name)}.xml: redirect the old one there")
        if feed.get("tags"):
            tags = feed["tags"] if isinstance(feed["tags"], dict) else {}
            folder = "/" + str(tags.get("path") or "/feed/by_tag/").strip("/") + "/"
            a.old_feeds.append(f"{folder}TAG.xml")
            a.feed("tag_atom", f"{folder}{{slug}}.xml", "jekyll-feed: feed.tags")
    return a


def _site_keys(folder: Path) -> set[str]:
    """The `site.KEY` names the posts use (only those are copied: a config may hold more)."""
    keys: set[str] = set()
    for path in folder.rglob("*") if folder.is_dir() else ():
        try:
            keys.update(_SITE_KEY.findall(path.read_text(encoding="utf-8")) if path.is_file() else ())
        except (OSError, UnicodeDecodeError):
            continue
    return keys


def _row(setting: str, value: Any, source: str) -> Any:
    from .model import Row

    return Row(setting, str(value), source)


def _authors(a: Adoption, cfg: dict[str, Any], root: Path, where: str) -> None:
    data = first_file(root / "_data", ("authors.yml", "authors.yaml", "authors.json", "authors.toml"))
    if data is not None:
        a.add_authors(authors_from(read_data(data)), f"_data/{data.name}")
    raw = cfg.get("author")
    name = raw.get("name") if isinstance(raw, dict) else raw
    if name and not a.authors:
        entry = author(str(name), raw)
        if entry:
            a.add_authors([entry], f"{where}: author")


def _posts(a: Adoption, cfg: dict[str, Any], root: Path, base: str, where: str) -> None:
    folder = root / str(cfg.get("collections_dir") or "") / "_posts"
    if not folder.is_dir():
        a.gap("posts folder", "no _posts/ folder")
        return
    a.put("posts", str(folder.relative_to(root)), "Jekyll's posts folder")
    collection = (cfg.get("collections") or {}).get("posts") if isinstance(cfg.get("collections"), dict) else None
    raw = (collection or {}).get("permalink") if isinstance(collection, dict) else None
    raw = raw or cfg.get("permalink") or "date"
    pattern = _STYLES.get(str(raw), str(raw))
    translated, dropped = translate(pattern, _TOKENS)
    if base:
        translated = f"/{base}{translated}"
    a.put("permalink", translated, f"{where}: permalink {raw!r}")
    for token in dropped:
        reason = ("posts with categories keep them in their address only when their front matter "
                  "gives `permalink:`" if token == ":categories" else "syndicator's pattern knows "
                  "{year} {month} {day} {slug}")
        a.gap(f"permalink token {token}", reason)
