"""What readers already have: the (id, address) of every entry in the feeds a build wrote before.

Used only when two post files claim one id or address and the manifest holds no owner for it
(a fresh state folder beside old feeds), so its cost is paid only then.
"""

from __future__ import annotations

import json
import logging
from typing import Iterable

from .output import OutputDir

logger = logging.getLogger(__name__)
_MAX_FEED_BYTES = 64 * 1024 * 1024  # larger files are not ours to trust; skipped


def published_entries(out: OutputDir, files: Iterable[str]) -> set[tuple[str, str]]:
    """(entry id, entry address) pairs in the given feed files (JSON Feed, Atom or RSS)."""
    pairs: set[tuple[str, str]] = set()
    for rel in sorted(files):
        if not rel.endswith((".json", ".xml")):
            continue
        data = out.read(rel, limit=_MAX_FEED_BYTES)
        if data is None:
            continue
        pairs.update(_json_entries(data) if rel.endswith(".json") else _xml_entries(data))
    return pairs


def feed_files_present(out: OutputDir, name: str) -> list[str]:
    """Where feeds named `name` may be: the top, and each folder under tags/, categories/, authors/."""
    folders = [""] + [sub for top in ("tags", "categories", "authors") for sub in out.folders(top)]
    return [f"{folder}/{name}".lstrip("/") for folder in folders]


def _json_entries(data: bytes) -> list[tuple[str, str]]:
    try:
        items = json.loads(data).get("items", [])
    except (ValueError, AttributeError):
        return []
    return [(str(item.get("id")), str(item.get("url"))) for item in items
            if isinstance(item, dict) and item.get("id") and item.get("url")]


def _xml_entries(data: bytes) -> list[tuple[str, str]]:
    import feedparser  # heavy (it pulls in urllib.request, ssl, sgmllib): only a contested build reads feeds

    parsed = feedparser.parse(data)
    return [(str(e.get("id")), str(e.get("link"))) for e in parsed.entries if e.get("id") and e.get("link")]
