"""Helpers for the feed-source tests: configs with [[sources]], feeds built from fixtures."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from crosspost_helpers import _toml_value, write_config

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"


def fixture(name: str) -> bytes:
    """A feed fixture's bytes."""
    return (FIXTURES / name).read_bytes()


def config_with_sources(root: Path, *, sources: Iterable[dict[str, Any]],
                        endpoints: Iterable[dict[str, Any]] = ()) -> Path:
    """write_config plus [[sources]] tables."""
    path = write_config(root, endpoints=endpoints)
    lines = [path.read_text(encoding="utf-8")]
    for table in sources:
        lines.append("[[sources]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in table.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def rss(items: Iterable[tuple[str | None, str | None, str, str]], *, link: str = "https://blog.example/") -> bytes:
    """An RSS 2.0 feed from (guid, link, title, pubDate) tuples; None leaves an element out."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<rss version="2.0"><channel>',
           f"<title>Blog</title><link>{link}</link><description>d</description>"]
    for guid, url, title, date in items:
        out.append("<item>")
        out.append(f"<title>{title}</title>")
        if url:
            out.append(f"<link>{url}</link>")
        if guid:
            out.append(f'<guid isPermaLink="false">{guid}</guid>')
        out.append(f"<pubDate>{date}</pubDate><description>About {title}.</description></item>")
    out.append("</channel></rss>")
    return "\n".join(out).encode("utf-8")
