"""A post's entry id (RSS guid, Atom id, JSON Feed id): pinned, else by the site's id rule.

Feed readers treat a changed id as a new item, so a site adopted from another engine keeps
the ids that engine published. Rules ([site] ids):

- "tag": syndicator's own, `tag:{authority},{publish date}:{slug}` (RFC 4151).
- "permalink": the post's absolute URL (Hugo's RSS guid; Zola, Eleventy, Astro).
- "jekyll": the absolute URL without its trailing slash or `.html` (jekyll-feed's Atom id).
- "pelican": `tag:{host},{date}:{path}` (feedgenerator's get_tag_uri, as Pelican's Atom id and RSS
  guid: the publish date as written, the path as it is, `/fragment` appended when there is one).

Pinned ids ([site] ids_file, written by `syndicator init --feed`) win over the rule: they
were read from the old engine's published feed, matched by link.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Mapping
from urllib.parse import quote, urlsplit

from ..config_text import toml_string
from ..errors import ConfigError

_URI_SAFE = re.compile(r"[A-Za-z0-9_.~-]*")  # what quote() leaves as it is

RULES = ("tag", "permalink", "jekyll", "pelican")


def link_key(url: str) -> str:
    """A URL compared as a reader would: no scheme, host lower-cased, no index.html or end slash."""
    parts = urlsplit(url.strip())
    path = parts.path
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return f"{parts.netloc.lower()}{path.rstrip('/')}" + (f"?{parts.query}" if parts.query else "")


def entry_id(rule: str, *, url: str, published: datetime, slug: str, tag_authority: str,
             pinned: Mapping[str, str] | None = None) -> str:
    """The id for a post without an `id:` key in its front matter."""
    if pinned:
        found = pinned.get(link_key(url))
        if found:
            return found
    if rule == "permalink":
        return url
    if rule == "jekyll":
        trimmed = url[:-len(".html")] if url.endswith(".html") else url
        return trimmed.rstrip("/") if urlsplit(trimmed).path not in ("", "/") else trimmed
    if rule == "pelican":
        parts = urlsplit(url)
        fragment = f"/{parts.fragment}" if parts.fragment else ""
        return f"tag:{parts.hostname},{published.date().isoformat()}:{parts.path}{fragment}"
    # RFC 4151: a tag URI holds URI characters only, so a slug in any script is percent-encoded.
    return f"tag:{tag_authority},{published.date().isoformat()}:{tag_specific(slug)}"


def tag_specific(slug: str) -> str:
    """A slug percent-encoded for a tag URI (a slug of URI-safe characters, the usual one, as it is)."""
    return slug if _URI_SAFE.fullmatch(slug) else quote(slug, safe="-._~")


def load_pinned(path: Path, *, file: str) -> dict[str, str]:
    """link key -> id from an ids file (`[ids]` table of link = id); a ConfigError names the file."""
    import tomllib  # here: only a site with an ids file reads one

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{file}: [site] ids_file: cannot read {path} ({exc.strerror})") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path.name}: not a valid ids file: {exc}") from None
    table = raw.get("ids", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise ConfigError(f"{path.name}: [ids] must map each post's link to its id (text)")
    return {link_key(link): value for link, value in table.items()}


def dump_pinned(pairs: Mapping[str, str], *, header: str) -> str:
    """The text of an ids file for these link -> id pairs (sorted, TOML)."""
    lines = [f"# {line}" for line in header.splitlines()] + ["", "[ids]"]
    lines += [f"{toml_string(link)} = {toml_string(value)}" for link, value in sorted(pairs.items())]
    return "\n".join(lines) + "\n"

