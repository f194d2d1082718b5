"""One post file's bytes -> a Post, or a PostError naming the file and line.

Front matter keys (documented in the README): title, date, updated, id, slug, summary,
author / authors, tags, categories, image, influences, sources, via, license, lang, draft,
canonical_url, syndicate.
"""

from __future__ import annotations

import hashlib
import mimetypes
import posixpath
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from ..config import Config, suggest
from ..errors import PostError
from ..model import Author, Credit, Image, Link, Post, Syndication
from .content import resolver
from .frontmatter import Split, key_line, split
from .ids import entry_id as entry_id_for
from .slugs import slugify
from .templates import problems as template_problems

KNOWN_KEYS = (
    "title", "date", "updated", "id", "slug", "summary", "author", "authors", "tags",
    "categories", "image", "influences", "sources", "via", "license", "lang", "draft",
    "canonical_url", "syndicate",
)
FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")


@dataclass(frozen=True)
class Warning_:
    """A problem that does not stop the post from publishing (an unknown key, say)."""

    line: int
    message: str


def decode(data: bytes, path: str) -> str:
    """UTF-8 text of a post file; empty, binary and undecodable files are errors."""
    if not data.strip():
        raise PostError("the file is empty", path=path, line=1)
    if b"\x00" in data:
        raise PostError("the file is binary (it contains NUL bytes), not a text post", path=path, line=1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PostError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                        path=path, line=line) from None
    return text.replace("\r\n", "\n")


def read(config: Config, relpath: str, data: bytes, *, display: str,
         keep_body: bool = True) -> tuple[Post, list[Warning_]]:
    """Parse one post. `relpath` is relative to the posts directory; `display` is for messages."""
    text = decode(data, display)
    parts = split(text, display)
    warnings = [
        Warning_(key_line(parts.raw_meta, key), f"unknown front matter key '{key}'{suggest(key, KNOWN_KEYS)}")
        for key in parts.meta if key not in KNOWN_KEYS
    ]
    warnings += [Warning_(line, message) for line, message in template_problems(
        parts.body, body_line=parts.body_line, site_url=config.site.url, permalink=config.site.permalink)]
    fields = _Fields(config, parts, display)
    post = fields.post(relpath, hashlib.sha1(data).hexdigest(), keep_body)
    return post, warnings


class _Fields:
    """Reads and checks each front matter field, raising PostError at the key's line."""

    def __init__(self, config: Config, parts: Split, path: str) -> None:
        self.config = config
        self.site = config.site
        self.resolve = resolver(config.site.url)
        self.meta = parts.meta
        self.parts = parts
        self.path = path

    def fail(self, key: str, message: str) -> PostError:
        return PostError(f"{key}: {message}", path=self.path, line=key_line(self.parts.raw_meta, key))

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.meta.get(key)
        if value is None:
            if required:
                raise PostError(f"{key} is missing", path=self.path, line=2)
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.fail(key, f"must be text, not {type(value).__name__}")
        value = str(value).strip()
        if required and not value:
            raise self.fail(key, "must not be empty")
        return value or None

    def when(self, key: str, value: Any = None) -> datetime | None:
        value = self.meta.get(key) if value is None else value
        if value is None:
            return None
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, date):
            parsed = datetime.combine(value, time())
        elif isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
            except ValueError:
                raise self.fail(key, f"{value!r} is not a date (use 2024-05-14 or "
                                     "2024-05-14T09:30:00+02:00)") from None
        else:
            raise self.fail(key, f"must be a date, not {type(value).__name__}")
        # A date without an offset is in the site's time zone.
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=self.site.timezone)

    def names(self, key: str) -> tuple[str, ...]:
        value = self.meta.get(key)
        if value is None:
            return ()
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list) or not all(
                isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
            raise self.fail(key, "must be a list of names")
        seen: dict[str, None] = {}
        for v in value:
            name = " ".join(str(v).split())
            if name:
                seen.setdefault(name, None)
        return tuple(seen)

    def post(self, relpath: str, digest: str, keep_body: bool = True) -> Post:
        title = self.text("title", required=True)
        folder, name = posixpath.split(relpath)
        stem, suffix = posixpath.splitext(name)
        if stem == "index" and folder:
            stem = posixpath.basename(folder)
        prefix = _DATE_PREFIX.match(stem)
        published = self.when("date")
        if published is None and prefix:
            published = self.when("date", prefix.group(1))
        if published is None:
            raise PostError("date is missing (add `date:` or name the file YYYY-MM-DD-slug.md)",
                            path=self.path, line=2)
        updated = self.when("updated") or published
        slug = self.text("slug") or slugify(prefix.group(2) if prefix else stem)
        if slugify(slug) != slug:
            raise self.fail("slug", f"{slug!r} is not a slug (try {slugify(slug)!r})")
        url = self.site.absolute(self.site.permalink.format(
            year=f"{published.year:04d}", month=f"{published.month:02d}",
            day=f"{published.day:02d}", slug=slug))
        entry_id = self.text("id") or entry_id_for(
            self.site.id_rule, url=url, published=published, slug=slug,
            tag_authority=self.site.tag_authority, pinned=self.config.pinned_ids)
        canonical = self.url("canonical_url")
        return Post(
            source=relpath, id=entry_id, slug=slug, title=title, url=canonical or url,
            published=published, updated=updated, body=self.parts.body if keep_body else "",
            body_format=FORMATS[suffix.lower()],
            summary=self.text("summary"), authors=self.authors(), tags=self.names("tags"),
            categories=self.names("categories"), image=self.image(),
            influences=self.links("influences", "name"), sources=self.links("sources", "title"),
            via=self.via(), license=self.url("license"), lang=self.text("lang"),
            draft=self.flag("draft"), canonical_url=canonical, syndicate=self.syndicate(),
            digest=digest,
        )

    def flag(self, key: str) -> bool:
        value = self.meta.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def url(self, key: str) -> str | None:
        return self.absolute(key, self.text(key))

    def absolute(self, key: str, value: Any) -> str | None:
        """A URL from inside a table, resolved against the site; None when absent."""
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.fail(key, f"URLs must be text, not {type(value).__name__}")
        return self.resolve(value)

    def authors(self) -> tuple[Author, ...]:
        key = "authors" if "authors" in self.meta else "author"
        value = self.meta.get(key)
        if value is None:
            owner = self.config.author(self.site.owner) if self.site.owner else None
            return (owner,) if owner else ()
        entries = value if isinstance(value, list) else [value]
        return tuple(self._author(key, entry) for entry in entries)

    def _author(self, key: str, entry: Any) -> Author:
        if isinstance(entry, str):
            found = self.config.author(entry)
            if found is None:
                raise self.fail(key, f"unknown author '{entry}'{suggest(entry, self.config.authors)}"
                                     " (authors are keys of [authors] in the config, or inline tables)")
            return found
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            extra = set(entry) - {"name", "url", "email", "avatar", "bio"}
            if extra:
                raise self.fail(key, f"unknown author field '{sorted(extra)[0]}'")
            from .content import render_bio

            bio = entry.get("bio")
            bio_html, bio_text = render_bio(str(bio), self.site.url) if bio else (None, None)
            return Author(key=slugify(entry["name"]), name=entry["name"], url=self.absolute(key, entry.get("url")),
                          email=entry.get("email"), avatar=self.absolute(key, entry.get("avatar")),
                          bio=bio, bio_html=bio_html, bio_text=bio_text)
        raise self.fail(key, "each author must be a key of [authors] or a table with a name")

    def image(self) -> Image | None:
        value = self.meta.get("image")
        if value is None:
            return None
        if isinstance(value, str):
            value = {"url": value}
        if not isinstance(value, dict) or not isinstance(value.get("url"), str):
            raise self.fail("image", "must be a URL or a table with url (and alt, credit, license)")
        _only(self, "image", value, ("url", "alt", "credit", "license"))
        credit = value.get("credit")
        if isinstance(credit, str):
            credit = {"name": credit}
        if credit is not None:
            if not isinstance(credit, dict) or not isinstance(credit.get("name"), str):
                raise self.fail("image", "credit must be a name or a table with name, url, source, source_url")
            _only(self, "image", credit, ("name", "url", "source", "source_url"), prefix="credit ")
            credit = Credit(name=credit["name"], url=self.absolute("image", credit.get("url")),
                            source=credit.get("source"), source_url=self.absolute("image", credit.get("source_url")))
        url = self.resolve(value["url"])
        return Image(url=url, alt=str(value.get("alt", "")), credit=credit,
                     license=self.absolute("image", value.get("license")),
                     type=mimetypes.guess_type(url.split("?")[0])[0])

    def links(self, key: str, label: str) -> tuple[Link, ...]:
        value = self.meta.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            value = [value]
        out = []
        for entry in value:
            if isinstance(entry, str):
                out.append(Link(name=entry))
            elif isinstance(entry, dict) and isinstance(entry.get(label) or entry.get("name"), str):
                _only(self, key, entry, (label, "name", "url", "note"))
                out.append(Link(name=entry.get(label) or entry["name"], url=self.absolute(key, entry.get("url")),
                                note=entry.get("note")))
            else:
                raise self.fail(key, f"each entry must be a name or a table with {label} and url")
        return tuple(out)

    def via(self) -> Link | None:
        value = self.meta.get("via")
        if isinstance(value, str):
            return Link(name=value, url=self.absolute("via", value))
        found = self.links("via", "title")
        return found[0] if found else None

    def syndicate(self) -> Syndication:
        value = self.meta.get("syndicate", True)
        if isinstance(value, bool):
            return Syndication(enabled=value)
        if not isinstance(value, dict):
            raise self.fail("syndicate", "must be true, false, or a table of endpoint names")
        skip, text = [], []
        for name, setting in sorted(value.items()):
            if setting is False:
                skip.append(name)
            elif isinstance(setting, str):
                text.append((name, setting))
            elif setting is not True:
                raise self.fail("syndicate", f"{name} must be false or the text to post there")
        return Syndication(enabled=True, skip=tuple(skip), text=tuple(text))


def _only(fields: _Fields, key: str, table: dict[str, Any], allowed: tuple[str, ...], prefix: str = "") -> None:
    for name in table:
        if name not in allowed:
            raise fields.fail(key, f"unknown {prefix}field '{name}'{suggest(name, allowed)}")


