"""`syndicator new`: write a post file with front matter filled in."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from ..config import Config, suggest
from ..errors import UsageError
from .slugs import slugify


def create(config: Config, title: str, *, now: datetime, author: str | None = None, fmt: str = "md") -> Path:
    """Create posts/YYYY-MM-DD-slug.md (or .html); never overwrites an existing file."""
    if not title.strip():
        raise UsageError("the title must not be empty")
    author = author or config.site.owner
    if author is not None and author not in config.authors:
        raise UsageError(f"unknown author '{author}'{suggest(author, config.authors)}")
    local = now.astimezone(config.site.timezone).replace(microsecond=0)
    slug = slugify(title)
    path = config.posts_dir / f"{local:%Y-%m-%d}-{slug}.{fmt}"
    # A minted id: it stays the entry's id even if the title, slug or date is edited later.
    entry_id = f"tag:{config.site.tag_authority},{local:%Y-%m-%d}:{quote(slug, safe='-._~')}"
    lines = ["---", f"title: {json.dumps(title.strip(), ensure_ascii=False)}",
             f"date: {local.isoformat()}", f"id: {json.dumps(entry_id, ensure_ascii=False)}"]
    if author:
        lines.append(f"author: {author}")
    lines += ["tags: []", "draft: true", "---", ""]
    body = "Write here. Remove `draft: true` to publish.\n" if fmt == "md" else "<p>Write here.</p>\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n" + body)
    except FileExistsError:
        raise UsageError(f"{path} already exists; choose another title") from None
    return path
