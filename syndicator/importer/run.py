"""`syndicator import SOURCE [--to DIR]`: read the source, write the posts, report."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..config import Config
from ..errors import SourceError
from .feeds import load_source, read_feed_bytes
from .items import ImportAuthor, ImportItem
from .writer import append_authors, author_keys, file_name, render, write_new
from .wxr import is_wxr, read_wxr

logger = logging.getLogger(__name__)


@dataclass
class ImportReport:
    """What an import wrote and skipped."""

    kind: str = ""  # "wxr" or "feed"
    written: list[Path] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # reason -> count
    existing: list[Path] = field(default_factory=list)  # not overwritten
    authors_added: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (repeated id, id given)


def import_blog(config: Config, source: str, *, to: Path | None = None,
                now: datetime) -> ImportReport:
    """Import every published post of `source` into `to` (default: the posts folder)."""
    folder = Path(to) if to is not None else config.posts_dir
    report = ImportReport()
    items = _unique_ids(_read(source, report, now=now), report)
    added: dict[str, ImportAuthor] = {}
    taken: set[str] = set()
    for item in sorted(items, key=lambda i: (i.date, i.id)):
        name = _unique_name(file_name(item), taken)
        path = folder / name
        text = render(item, author_keys(config, item.authors, added))
        if write_new(path, text):
            report.written.append(path)
        else:
            report.existing.append(path)
            report.skipped["exists (not overwritten)"] += 1
    append_authors(config, added, source=Path(source).name if "://" not in source else source)
    report.authors_added = sorted(added)
    logger.info("import %s: %d written, %d skipped", source, len(report.written),
                sum(report.skipped.values()))
    return report


def _read(source: str, report: ImportReport, *, now: datetime) -> list[ImportItem]:
    path = Path(source)
    if "://" not in source and not path.is_file():
        raise SourceError(f"{source}: no such file (give a WordPress export, a feed file or an "
                          "http(s) feed URL)")
    if "://" not in source:
        with path.open("rb") as handle:
            head = handle.read(8192)
        if is_wxr(head):
            report.kind = "wxr"
            items, skipped = read_wxr(path)
            report.skipped.update(skipped)
            return items
    report.kind = "feed"
    return read_feed_bytes(load_source(source, now=now), where=source, now=now)


def _unique_ids(items: list[ImportItem], report: ImportReport) -> list[ImportItem]:
    """Two posts with one guid (copied posts keep it in WordPress): the first, by date, keeps
    it; a later one takes its permalink, else the guid with its slug, and is reported."""
    from dataclasses import replace

    used: set[str] = set()
    out = []
    for item in sorted(items, key=lambda i: (i.date, i.slug)):
        if item.id in used:
            new = item.canonical_url if item.canonical_url and item.canonical_url not in used \
                else f"{item.id}#{item.slug}"
            logger.warning("import: %s repeats the id %s; it gets the id %s", item.slug, item.id, new)
            report.renamed.append((item.id, new))
            item = replace(item, id=new)
        used.add(item.id)
        out.append(item)
    return out


def _unique_name(name: str, taken: set[str]) -> str:
    """Two posts with one date and slug in the same import get -2, -3 ..."""
    stem, n, candidate = name[:-5], 2, name
    while candidate in taken:
        candidate, n = f"{stem}-{n}.html", n + 1
    taken.add(candidate)
    return candidate
