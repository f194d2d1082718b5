"""A Hugo site -> Adoption: hugo.toml / config.toml (or YAML/JSON, or config/_default/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import authors_from, busiest, first_file, read_data, translate
from .model import Adoption

_NAMES = tuple(f"{stem}.{ext}" for stem in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json"))
# Hugo permalink tokens; :title is the urlized title, close to the file name for most posts.
_TOKENS = {":year": "{year}", ":month": "{month}", ":day": "{day}", ":slug": "{slug}",
           ":filename": "{slug}", ":contentbasename": "{slug}", ":slugorfilename": "{slug}",
           ":slugorcontentbasename": "{slug}", ":title": "{slug}"}


def _config(root: Path) -> tuple[dict[str, Any], list[str]]:
    found = first_file(root, _NAMES)
    if found is not None:
        return read_data(found) or {}, [found.name]
    merged: dict[str, Any] = {}
    folder = root / "config" / "_default"
    files = []
    for path in sorted(folder.glob("*.*")) if folder.is_dir() else []:
        data = read_data(path)
        if isinstance(data, dict):
            merged.update(data if path.stem in ("hugo", "config") else {path.stem: data})
            files.append(str(path.relative_to(root)))
    return merged, files


def _get(cfg: dict[str, Any], *keys: str) -> Any:
    """Hugo keys are case-insensitive."""
    lowered = {k.lower(): v for k, v in cfg.items()}
    return next((lowered[k.lower()] for k in keys if lowered.get(k.lower()) not in (None, "")), None)


def read(root: Path) -> Adoption:
    """Map a Hugo site's settings."""
    cfg, files = _config(root)
    a = Adoption("hugo", root, files, id_rule="permalink", engine_output=_get(cfg, "publishDir") or "public")
    params = _get(cfg, "params") or {}
    where = files[0] if files else "hugo config"
    a.put("title", _get(cfg, "title"), f"{where}: title")
    a.put("url", _get(cfg, "baseURL"), f"{where}: baseURL")
    a.put("description", _get(params, "description"), f"{where}: params.description")
    lang = _get(cfg, "languageCode", "defaultContentLanguage")
    a.put("language", lang, f"{where}: languageCode")
    a.put("timezone", _get(cfg, "timeZone"), f"{where}: timeZone")
    a.put("copyright", _get(cfg, "copyright"), f"{where}: copyright")
    _authors(a, cfg, params, root)
    content = root / (_get(cfg, "contentDir") or "content")
    _section(a, cfg, params, content)
    taxonomies = _get(cfg, "taxonomies") or {"tag": "tags", "category": "categories"}
    a.site["taxonomies"] = {plural: ("categories" if plural == "categories" else "tags")
                            for plural in taxonomies.values() if plural not in ("tags", "categories")}
    section = Path(a.site.get("posts", "content/posts")).name
    rss = f"{(_get(_get(cfg, 'outputFormats') or {}, 'RSS') or {}).get('baseName') or 'index'}.xml"
    a.old_feeds = [f"/{rss}", f"/{section}/{rss}"]
    a.feed("rss", rss, "Hugo's home feed")
    for plural, kind in (("tags", "tag"), ("categories", "category")):
        if plural in taxonomies.values():
            a.feed(f"{kind}_rss", f"{plural}/{{slug}}/{rss}", f"Hugo's {plural}/NAME/{rss}")
    for plural in sorted(a.site["taxonomies"]):
        a.gap(f"/{plural}/NAME/{rss}", f"syndicator reads {plural} as tags: their feeds are the tag feeds, "
              f"tags/NAME/{rss}; redirect the old ones there")
    return a


def _authors(a: Adoption, cfg: dict[str, Any], params: dict[str, Any], root: Path) -> None:
    data = root / "data" / "authors"
    found = []
    if data.is_dir():
        found = authors_from({p.stem: read_data(p) for p in sorted(data.glob("*.*"))})
        source = "data/authors/"
    else:
        single = first_file(root / "data", ("authors.yaml", "authors.yml", "authors.toml", "authors.json"))
        if single is not None:
            found, source = authors_from(read_data(single)), f"data/{single.name}"
    if not found:
        raw = _get(params, "author") or _get(cfg, "author")
        name = raw.get("name") if isinstance(raw, dict) else raw
        found = authors_from({str(name): raw}) if name else []
        source = "author in the site config"
    a.add_authors(found, source)


def _section(a: Adoption, cfg: dict[str, Any], params: dict[str, Any], content: Path) -> None:
    main = _get(params, "mainSections")
    folder = content / main[0] if isinstance(main, list) and main and (content / main[0]).is_dir() \
        else busiest(content)
    if folder is None:
        a.gap("posts folder", f"no folder of posts under {content.name}/")
        return
    section = folder.name
    a.put("posts", str(folder.relative_to(a.root)), "the content section with the most posts")
    pattern = (_get(cfg, "permalinks") or {}).get(section)
    if not pattern:
        a.put("permalink", f"/{section}/{{slug}}/", "Hugo's default: /SECTION/FILE-NAME/")
        return
    translated, dropped = translate(pattern.replace(":section", section), _TOKENS)
    a.put("permalink", translated, f"permalinks.{section} = {pattern!r}")
    for token in dropped:
        a.gap(f"permalink token {token}", "syndicator's pattern knows {year} {month} {day} {slug}; "
              "posts keep their own URL when front matter gives `url`")
    if ":title" in pattern:
        a.gap("permalink token :title", "mapped to the file name; a post whose title differs from its "
              "file name gets another address: give it `slug:`")
