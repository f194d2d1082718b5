"""Eleventy and Astro sites -> Adoption. Their config is JavaScript: it is read as text for
the few literal values init needs (never run), and every value it cannot read is reported."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .common import author, busiest, first_file
from .model import Adoption

_PAIR = re.compile(r"""["']?(\w+)["']?\s*:\s*(?:"([^"]*)"|'([^']*)'|`([^`$]*)`)""")


def literals(text: str) -> dict[str, str]:
    """key: "string" pairs written literally in JavaScript or JSON (first of each key wins)."""
    found: dict[str, str] = {}
    for m in _PAIR.finditer(text):
        found.setdefault(m.group(1), next(g for g in m.groups()[1:] if g is not None))
    return found


def _text(path: Path | None) -> str:
    try:
        return path.read_text(encoding="utf-8") if path else ""
    except (OSError, UnicodeDecodeError):
        return ""


def _site_values(a: Adoption, values: dict[str, str], source: str) -> None:
    a.put("title", values.get("title"), f"{source}: title")
    url = values.get("url") or values.get("site")
    a.put("url", url if url and url.startswith("http") else None, f"{source}: url")
    a.put("description", values.get("description"), f"{source}: description")
    a.put("language", values.get("language") or values.get("lang"), f"{source}: language")


def read_eleventy(root: Path) -> Adoption:
    """Map an Eleventy site: its config's dir.input, _data/metadata, the feed plugin's path."""
    config = first_file(root, ("eleventy.config.js", "eleventy.config.mjs", "eleventy.config.cjs",
                               ".eleventy.js", "eleventy.config.ts"))
    code = _text(config)
    a = Adoption("eleventy", root, [config.name] if config else [], id_rule="permalink",
                 engine_output=_match(r"output\s*:\s*[\"']([^\"']+)", code) or "_site")
    source = _match(r"input\s*:\s*[\"']([^\"']+)", code) or "."
    data_dir = _match(r"data\s*:\s*[\"']([^\"']+)", code) or "_data"
    meta = first_file((root / source / data_dir).resolve(), ("metadata.json", "metadata.js", "metadata.mjs",
                                                               "site.json", "site.js"))
    meta_text = _text(meta)
    values = json.loads(meta_text) if meta and meta.suffix == ".json" and meta_text.strip() else literals(meta_text)
    shown = str(meta.relative_to(root.resolve())) if meta else "_data/metadata"
    _site_values(a, {k: v for k, v in values.items() if isinstance(v, str)}, shown)
    _author_block(a, meta_text, shown)
    _section(a, root / source, root / source, "the folder with the most posts")
    a.old_feeds = ["/" + (_match(r"outputPath\s*:\s*[\"']([^\"']+)", code) or "feed.xml").lstrip("/")]
    kind = _match(r"type\s*:\s*[\"'](atom|rss|json)[\"']", code)  # the feed plugin's; Atom by default
    a.feed(kind or ("json" if a.old_feeds[0].endswith(".json") else "atom"), a.old_feeds[0],
           "the feed plugin's outputPath")
    return a


def read_astro(root: Path) -> Adoption:
    """Map an Astro site: `site` in astro.config, src/consts, src/content/<collection>/, rss.xml."""
    config = first_file(root, ("astro.config.mjs", "astro.config.ts", "astro.config.js", "astro.config.mts"))
    a = Adoption("astro", root, [config.name] if config else [], id_rule="permalink", engine_output="dist")
    a.put("url", _match(r"site\s*:\s*[\"']([^\"']+)", _text(config)), f"{config.name if config else 'astro config'}: site")
    consts = first_file(root / "src", ("consts.ts", "consts.js", "config.ts", "site.config.ts"))
    code = _text(consts)
    a.put("title", _match(r"SITE_TITLE\s*=\s*[\"']([^\"']+)", code), "src/consts: SITE_TITLE")
    a.put("description", _match(r"SITE_DESCRIPTION\s*=\s*[\"']([^\"']+)", code), "src/consts: SITE_DESCRIPTION")
    _section(a, root / "src" / "content", root / "src" / "content", "the content collection with the most posts")
    pages = root / "src" / "pages"
    a.old_feeds = sorted("/" + str(p.relative_to(pages)).rsplit(".", 1)[0]
                         for p in pages.rglob("*.xml.*")) if pages.is_dir() else []
    for path in a.old_feeds:
        a.feed("atom" if "atom" in path else "rss", path, f"src/pages{path}.js")
    return a


def _match(pattern: str, text: str) -> str | None:
    found = re.search(pattern, text)
    return found.group(1) if found else None


def _author_block(a: Adoption, text: str, source: str) -> None:
    block = re.search(r"author\s*:\s*\{([^}]*)\}", text)
    values = literals(block.group(1)) if block else {}
    if not values:
        name = _match(r"author\s*:\s*[\"']([^\"']+)", text)
        values = {"name": name} if name else {}
    if values.get("name"):
        entry = author(values["name"], values)
        a.add_authors([entry] if entry else [], f"{source}: author")


def _section(a: Adoption, parent: Path, url_root: Path, why: str) -> None:
    folder = busiest(parent)
    if folder is None:
        a.gap("posts folder", f"no folder of posts under {parent.relative_to(a.root)}/")
        return
    a.put("posts", str(folder.relative_to(a.root)), why)
    a.put("permalink", f"/{folder.relative_to(url_root)}/{{slug}}/", f"{a.engine}'s default: /FOLDER/FILE-NAME/")
    a.gap("permalink", f"{a.engine} builds addresses in code or per-page `permalink:`; "
          "init used the default /FOLDER/FILE-NAME/")
