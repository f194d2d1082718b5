"""A Zola site -> Adoption: config.toml (base_url), content/ sections, the Atom/RSS feed."""

from __future__ import annotations

from pathlib import Path

from .common import author, busiest, read_data
from .model import Adoption


def read(root: Path) -> Adoption:
    """Map a Zola site's settings."""
    cfg = read_data(root / "config.toml") or {}
    a = Adoption("zola", root, ["config.toml"], id_rule="permalink",
                 engine_output=str(cfg.get("output_dir") or "public"))
    extra = cfg.get("extra") if isinstance(cfg.get("extra"), dict) else {}
    a.put("title", cfg.get("title"), "config.toml: title")
    a.put("url", cfg.get("base_url"), "config.toml: base_url")
    a.put("description", cfg.get("description"), "config.toml: description")
    a.put("language", cfg.get("default_language"), "config.toml: default_language")
    raw = cfg.get("author") or extra.get("author")
    name = raw.get("name") if isinstance(raw, dict) else raw
    if name:
        entry = author(str(name), raw)
        a.add_authors([entry] if entry else [], "config.toml: author")
    folder = busiest(root / "content")
    if folder is None:
        a.gap("posts folder", "no section with posts under content/")
    else:
        a.put("posts", str(folder.relative_to(root)), "the content section with the most posts")
        a.put("permalink", f"/{folder.name}/{{slug}}/", "Zola's page address: /SECTION/SLUG/")
    a.gap("timezone", "Zola dates carry their own offset or are UTC; syndicator uses UTC")
    names = cfg.get("feed_filenames") or [cfg.get("feed_filename") or "atom.xml"]
    if cfg.get("generate_feeds") or cfg.get("generate_feed"):
        a.old_feeds = ["/" + str(n) for n in names]
        for n in names:
            a.feed("atom" if "atom" in str(n) else "rss", str(n), "config.toml: feed_filenames")
    return a
