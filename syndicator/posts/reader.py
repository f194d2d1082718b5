"""One post file's bytes -> a Post, or a PostError naming the file and line.

Front matter keys (documented in the README): title, date, updated, id, slug, summary,
author / authors, tags, categories, image, influences, sources, via, license, lang, draft,
canonical_url, syndicate. The keys Hugo, Jekyll, Zola, Eleventy, Astro and Pelican write for
the same things are read too (see dialects.py); their layout keys are known and ignored.
A section page (`_index.md`) or a title-less page made for a template is not a post: NotAPost.
"""

from __future__ import annotations

import functools
import hashlib
import os
import posixpath
import re
from datetime import datetime

from ..config import Config, suggest
from ..errors import NotAPost, PostError
from ..model import Post
from . import dates, pelican_rules
from .attribution import links, syndicate, via
from .content import html_to_text, markdown_to_html, resolver
from .dialects import KNOWN, OWN_KEYS, hidden
from .fields import Fields, Warning_, dedupe
from .markup import split_post
from .ids import entry_id as entry_id_for
from .limits import limits_of
from .media import image
from .people import authors
from .slugs import slugify
from .templates import problems as template_problems
from .typography import smartify
from .urls import own_path, slug_of
from .walk import FORMATS

__all__ = ["FORMATS", "KNOWN_KEYS", "Warning_", "decode", "read"]

KNOWN_KEYS = tuple(sorted(OWN_KEYS))
_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})[-_](.+)$")
_TEMPLATE_KEYS = ("layout", "template", "type", "outputs", "permalink", "pagination", "eleventycomputed",
                  "headless", "build", "_build", "cascade", "page_template", "redirect_to")
_BAD_SLUG = re.compile(r"[\s/?#]")


def decode(data: bytes, path: str) -> str:
    """UTF-8 text of a post file; empty, binary and undecodable files are errors."""
    if not data or data.isspace():  # as `not data.strip()`, without copying the file
        raise PostError("the file is empty", path=path, line=1)
    if b"\x00" in data:
        raise PostError("the file is binary (it contains NUL bytes), not a text post", path=path, line=1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PostError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                        path=path, line=line) from None
    if not text or text.isspace():  # a byte order mark and nothing else
        raise PostError("the file is empty", path=path, line=1)
    return text.replace("\r\n", "\n") if b"\r" in data else text


_JEKYLL_SLUG = re.compile(r"[^\w.~!$&'()+,;=@]+|_+")  # Jekyll's "pretty" slugify, cased


def read(config: Config, relpath: str, data: bytes, *, display: str,
         keep_body: bool = True) -> tuple[Post, list[Warning_]]:
    """Parse one post. `relpath` is relative to the posts directory; `display` is for messages.

    Raises PostError (with the file's line) for a broken post and NotAPost for a section page.
    """
    if posixpath.basename(relpath).startswith("_index."):
        raise NotAPost("a section page (_index), not a post", path=display)
    limits = limits_of(config)
    if len(data) > limits.max_post_bytes:
        raise PostError(f"the file is {len(data):,} bytes, over the limit of {limits.max_post_bytes:,} "
                        "([limits] max_post_bytes)", path=display, line=1)
    if config.reading.engine == "hugo" and _in_leaf_bundle(config, relpath):
        raise NotAPost("a page resource of a leaf bundle (its folder has an index.md)", path=display)
    text = decode(data, display)
    try:
        fields = Fields(config, split_post(text, relpath, display, limits=limits, engine=config.reading.engine), display)
        post = _post(fields, relpath, hashlib.sha1(data).hexdigest(), keep_body)
    except (PostError, NotAPost):
        raise
    except RecursionError:
        raise PostError("the front matter is nested too deeply", path=display, line=1) from None
    except Exception as exc:  # a post must never stop the build: report it at its file instead
        raise PostError(f"cannot be read ({type(exc).__name__}: {exc})", path=display, line=1) from None
    parts = fields.parts
    templates = [Warning_(line, message) for line, message in template_problems(
        parts.body, body_line=parts.body_line, site_url=config.site.url, permalink=config.site.permalink,
        variables=config.reading.site_variables)] if b"{" in data else []  # no brace, no template code
    notes = [Warning_(line, message) for line, message in parts.notes]
    return post, _unknown_keys(fields) + templates + notes + fields.warnings


def _in_leaf_bundle(config: Config, relpath: str) -> bool:
    """Hugo: beside an index.md, other files are the bundle's resources, never pages."""
    folder, name = posixpath.split(relpath)
    if not folder or posixpath.splitext(name)[0] == "index":
        return False
    return any(os.path.isfile(os.path.join(config.posts_dir, folder, f"index{suffix}")) for suffix in FORMATS)


def _unknown_keys(fields: Fields) -> list[Warning_]:
    taxonomies = fields.config.reading.taxonomies
    mapped = {key.lower() for key, _target in taxonomies} if taxonomies else ()
    return [Warning_(fields.parts.line_of(key), _unknown_key(key))
            for key in fields.meta if key.lower() not in KNOWN and key.lower() not in mapped]


@functools.lru_cache(maxsize=1024)
def _unknown_key(key: str) -> str:
    """The warning for an unknown key: one text per key, shared by every post that has it."""
    return f"unknown front matter key '{key}'{suggest(key, KNOWN_KEYS)}"


def _post(fields: Fields, relpath: str, digest: str, keep_body: bool) -> Post:
    title = _title(fields)
    folder, name = posixpath.split(relpath)
    stem, suffix = posixpath.splitext(name)
    bundle = stem == "index" and bool(folder)
    if bundle:
        stem = posixpath.basename(folder)
    prefix = _DATE_PREFIX.match(stem)
    _key, own = _own_address(fields)
    published = _published(fields, prefix, folder, own)
    slug = _slug(fields, own, prefix.group(2) if prefix else stem, title=title)
    site = fields.site
    # Jekyll fills :year/:month/:day in the site's time zone, whatever offset the date was written with.
    local = published.astimezone(site.timezone) if fields.engine == "jekyll" else published
    lang = fields.text(fields.first("lang")[0])
    tags, categories = _taxonomies(fields, relpath)
    people = authors(fields)
    pattern = site.permalink if fields.engine != "pelican" else pelican_rules.permalink(
        site.permalink, fields.config.reading, lang=lang, site_language=site.language,
        category=categories[0] if categories else "", author=people[0].name if people else "")
    url = own or fields.base(pattern.format(
        year=f"{local.year:04d}", month=f"{local.month:02d}", day=f"{local.day:02d}", slug=slug))
    entry_id = fields.text("id") or entry_id_for(
        site.id_rule, url=url, published=published, slug=slug,
        tag_authority=site.tag_authority, pinned=fields.config.pinned_ids)
    canonical = fields.url(*_canonical(fields))
    return Post(
        source=relpath, id=entry_id, slug=slug, title=title, url=canonical or url,
        published=published, updated=_dated(fields, "updated") or published,
        body=fields.parts.body if keep_body else "", body_format=FORMATS[suffix.lower()],
        summary=_summary(fields), authors=people, tags=tags, categories=categories,
        image=image(fields, resolver(url) if bundle else fields.base),
        influences=links(fields, "influences", "name"), sources=links(fields, "sources", "title"),
        via=via(fields), license=fields.url("license", fields.meta.get("license")),
        lang=lang,
        draft=_draft(fields), canonical_url=canonical, syndicate=syndicate(fields),
        digest=digest, expires=_dated(fields, "expires"),
    )


def _title(fields: Fields) -> str:
    key = fields.first("title")[0] or None
    title = fields.text(key) if key else None
    if title and fields.config.reading.markdown_title and fields.parts.kind == "header":
        title = html_to_text(markdown_to_html(title)) or title  # rendered, then its text (Pelican)
    if title:
        return smartify(title) if fields.engine == "jekyll" else title  # as jekyll-feed shows it
    if key is None and (not fields.parts.body.strip() or fields.key(*_TEMPLATE_KEYS)
                        or not fields.role("published")):
        # a page for a template (a search page), or a snippet other pages include (Hugo's
        # headless bundles): no title and no date, so nobody meant it as a post
        raise NotAPost("a page without a title, made for a template", path=fields.path)
    return str(fields.text(key or "title", required=True))


def _own_address(fields: Fields) -> tuple[str, str | None]:
    """(key, absolute URL) from permalink/url/path; Eleventy's `permalink: false` is not a page."""
    key, value = fields.first("own_url")
    if value is False:
        raise NotAPost("permalink: false (the engine writes no page for it)", path=fields.path)
    if not isinstance(value, str) or own_path(value) is None:
        return key, None
    path = own_path(value) or ""
    if path.endswith("/index.html"):  # Eleventy's permalink names the output file
        path = path[: -len("index.html")]
    return key, fields.url(key, path)


def _published(fields: Fields, prefix: re.Match[str] | None, folder: str, own: str | None) -> datetime:
    found = _dated(fields, "published")
    if found is None and prefix:
        found = fields.when("date", prefix.group(1))
    if found is None:
        zone = fields.site.timezone
        found = dates.in_path(folder, zone) or (dates.in_path(own, zone) if own else None)
    if found is None and _draft(fields):
        raise NotAPost("a draft without a date", path=fields.path)
    if found is None:
        raise PostError("date is missing (add `date:`, name the file YYYY-MM-DD-slug.md, or put it "
                        "in a YYYY/MM/DD/ folder)", path=fields.path, line=fields.parts.meta_line)
    return found


def _dated(fields: Fields, role: str) -> datetime | None:
    """The best key of a date role holding a date (Jekyll's `published: false` is a flag, not a date)."""
    for key in fields.role(role):
        value = fields.meta[key]
        if value is not None and value != "" and not isinstance(value, bool):
            return fields.when(key, value)
    return None


def _slug(fields: Fields, own: str | None, fallback: str, *, title: str) -> str:
    slug = fields.text(fields.first("slug")[0] or None)
    if slug is None and fields.engine == "pelican" and not own:  # Pelican's comes from the title
        slug = pelican_rules.slug(title) or None
    if slug is None:
        if fields.engine == "jekyll" and not own:  # Jekyll's :title keeps case and dots ("3.0")
            return _JEKYLL_SLUG.sub("-", fallback).strip("-") or slugify(fallback)
        return slugify((slug_of(own) if own else "") or fallback)
    if fields.engine == "zola":  # Zola slugifies the slugs it is given
        return slugify(slug)
    if fields.engine:  # an engine's slug is used as it is written, if it can be one path segment
        if fields.engine == "astro" and "/" in slug:  # content collections nest slugs
            return "/".join(_slug_segment(fields, part) for part in slug.strip("/").split("/"))
        if _BAD_SLUG.search(slug):
            raise fields.fail("slug", f"{slug!r} is not one URL path segment (try {slugify(slug)!r})")
        return slug
    if slugify(slug) != slug:
        raise fields.fail("slug", f"{slug!r} is not a slug (try {slugify(slug)!r})")
    return slug


def _slug_segment(fields: Fields, part: str) -> str:
    if not part or _BAD_SLUG.search(part):
        raise fields.fail("slug", f"{part!r} is not a URL path segment (try {slugify(part)!r})")
    return part


def _canonical(fields: Fields) -> tuple[str, object]:
    key, value = fields.first("canonical")
    return key or "canonical_url", value


def _taxonomies(fields: Fields, relpath: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    found: dict[str, list[str]] = {"tags": [], "categories": []}
    for target in ("tags", "categories"):
        for key in fields.role(target):
            found[target] += fields.names(key)
    table = fields.meta.get(fields.keys.get("taxonomies", ""))
    table = table if isinstance(table, dict) else {}
    for target in ("tags", "categories"):  # Zola's [taxonomies]
        if target in table:
            found[target] += fields.names("taxonomies", table[target])
    for key, target in fields.config.reading.taxonomies:  # Hugo custom taxonomies, from [posts]
        found[target] += fields.names(fields.key(key.lower()))
        found[target] += fields.names("taxonomies", table.get(key))
    if not found["categories"] and (folder := pelican_rules.category(relpath, fields.config.reading)):
        found["categories"].append(folder)
    tags, categories = dedupe(found["tags"]), dedupe(found["categories"])
    most = limits_of(fields.config).max_tags
    if len(tags) + len(categories) > most:
        raise fields.fail((fields.role("tags") + fields.role("categories") + ["tags"])[0],
                          f"{len(tags) + len(categories)} tags and categories, over the limit of {most} "
                          "([limits] max_tags)")
    return tags, categories


def _summary(fields: Fields) -> str | None:
    for key in fields.role("summary"):
        text = fields.text(key)
        if text:
            return text
    separator = fields.config.reading.excerpt_separator
    body = fields.parts.body
    if separator and separator in body:
        return html_to_text(markdown_to_html(body.split(separator, 1)[0])) or None
    return None


def _draft(fields: Fields) -> bool:
    key = fields.first("draft")[0]
    return (fields.flag(key) if key else False) or hidden(fields.meta, fields.keys)
