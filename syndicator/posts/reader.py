"""One post file's bytes -> a Post, or a PostError naming the file and line.

Front matter keys (documented in the README): title, date, updated, id, slug, summary,
author / authors, tags, categories, image, influences, sources, via, license, lang, draft,
canonical_url, syndicate. The keys Hugo, Jekyll, Zola, Eleventy, Astro and Pelican write for
the same things are read too (see dialects.py); their layout keys are known and ignored.
A section page (`_index.md`) or a title-less page made for a template is not a post: NotAPost.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
from datetime import datetime
from types import ModuleType
from typing import Any, Callable

import xxhash

from ..config import Config, suggest
from ..errors import NotAPost, PostError
from ..model import Post
from . import dates
from .attribution import links, syndicate, via
from .dialects import KNOWN, OWN_KEYS, hidden
from .fields import Fields, Warning_, dedupe, deduped, warning
from .ignored import is_ignored
from .frontmatter import Split
from .markup import split_post
from .ids import entry_id as entry_id_for
from .limits import limits_of
from .media import image
from .people import authors
from .slugs import ascii_slug, slugify
from .urls import own_path, slug_of
from .walk import FORMATS

__all__ = ["FORMATS", "KNOWN_KEYS", "Warning_", "decode", "read"]

KNOWN_KEYS = tuple(sorted(OWN_KEYS))
_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})[-_](.+)$")
_TEMPLATE_KEYS = ("layout", "template", "type", "outputs", "permalink", "pagination", "eleventycomputed",
                  "headless", "build", "_build", "cascade", "page_template", "redirect_to")
_BAD_SLUG = re.compile(r"[\s/?#]")
_BOM = b"\xef\xbb\xbf"


def decode(data: bytes, path: str) -> str:
    """UTF-8 text of a post file; empty, binary and undecodable files are errors."""
    if not data or data.isspace():  # as `not data.strip()`, without copying the file
        raise PostError("the file is empty", path=path, line=1)
    if b"\x00" in data:
        raise PostError("the file is binary (it contains NUL bytes), not a text post", path=path, line=1)
    skip = 3 if data.startswith(_BOM) else 0  # as decode("utf-8-sig"), whose codec is Python code
    try:
        text = data[skip:].decode("utf-8") if skip else data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start + skip  # the offset in the file, byte order mark included
        raise PostError(f"not valid UTF-8 (byte 0x{data[bad]:02x} at offset {bad})",
                        path=path, line=data[:bad].count(b"\n") + 1) from None
    if not text or text.isspace():  # a byte order mark and nothing else
        raise PostError("the file is empty", path=path, line=1)
    return text.replace("\r\n", "\n") if b"\r" in data else text


_UNTITLED_ENGINES = ("hugo", "zola", "eleventy")
_SLASHES = re.compile(r"/{2,}")  # an empty {folder} in "/posts/{folder}/{slug}/"
_JEKYLL_SLUG = re.compile(r"[^\w.~!$&'()+,;=@]+|_+")  # Jekyll's "pretty" slugify, cased


def read(config: Config, relpath: str, data: bytes, *, display: str,
         keep_body: bool = True) -> tuple[Post, list[Warning_]]:
    """Parse one post. `relpath` is relative to the posts directory; `display` is for messages.

    Raises PostError (with the file's line) for a broken post and NotAPost for a section page.
    """
    if "_index." in relpath and posixpath.basename(relpath).startswith("_index."):
        raise NotAPost("a section page (_index), not a post", path=display)
    if config.reading.ignore and is_ignored(f"{config.posts_dir.as_posix()}/{relpath}", config.reading.ignore):
        raise NotAPost("left out by [posts] ignore (the engine's ignored_content)", path=display)
    limits = limits_of(config)
    if len(data) > limits.max_post_bytes:
        raise PostError(f"the file is {len(data):,} bytes, over the limit of {limits.max_post_bytes:,} "
                        "([limits] max_post_bytes)", path=display, line=1)
    if config.reading.engine == "hugo" and _in_leaf_bundle(config, relpath):
        raise NotAPost("a page resource of a leaf bundle (its folder has an index.md)", path=display)
    text = decode(data, display)
    inherited: frozenset[str] = frozenset()
    cascaded_meta: dict[str, Any] | None = None
    try:
        parts = split_post(text, relpath, display, limits=limits, engine=config.reading.engine)
        if config.reading.engine == "hugo":  # what the sections above it cascade to it
            from .cascade import inherit  # (a Hugo site's: other posts do without it)

            cascaded = inherit(config, relpath, parts)
            if cascaded.parts is not parts:
                cascaded_meta = cascaded.parts.meta
            parts, inherited = cascaded.parts, cascaded.keys
        fields = Fields(config, parts, display)
        if cascaded_meta is None:
            digest = xxhash.xxh3_128_hexdigest(data)  # as xxh3_128(data).hexdigest(), in one call
        else:  # what the sections cascade is part of what the post says
            hasher = xxhash.xxh3_128(data)
            hasher.update(repr(sorted((k, repr(v)) for k, v in cascaded_meta.items())).encode())
            digest = hasher.hexdigest()
        post = _post(fields, relpath, digest, keep_body)
    except (PostError, NotAPost):
        raise
    except RecursionError:
        raise PostError("the front matter is nested too deeply", path=display, line=1) from None
    except Exception as exc:  # a post must never stop the build: report it at its file instead
        raise PostError(f"cannot be read ({type(exc).__name__}: {exc})", path=display, line=1) from None
    parts = fields.parts
    templates = _template_warnings(config, parts) if _may_hold_template_code(data) else []
    if post.body_format == "mdx":
        from .mdx import strip as strip_mdx

        templates += [Warning_(parts.body_line + n.line - 1, n.message()) for n in strip_mdx(parts.body).notes]
    found = _unknown_keys(fields, inherited)
    if templates or parts.notes or fields.warnings:
        found += templates + [Warning_(line, message) for line, message in parts.notes] + fields.warnings
    return post, found


def _may_hold_template_code(data: bytes) -> bool:
    """Whether the file has `{{` or `{%` anywhere (templates.has_template_code, on the bytes): a search
    for each brace (memchr) rather than two scans of the whole text, as a brace in code is common."""
    at = data.find(b"{")
    while at >= 0:
        if data[at + 1:at + 2] in (b"{", b"%"):
            return True
        at = data.find(b"{", at + 1)
    return False


def _template_warnings(config: Config, parts: Split) -> list[Warning_]:
    """Template code in the body that a feed would lose (templates.py: loaded for a post that may have some)."""
    from .templates import problems

    return [Warning_(line, message) for line, message in problems(
        parts.body, body_line=parts.body_line, site_url=config.site.url, permalink=config.site.permalink,
        variables=config.reading.site_variables)]


def _in_leaf_bundle(config: Config, relpath: str) -> bool:
    """Hugo: beside an index.md, other files are the bundle's resources, never pages."""
    folder, name = posixpath.split(relpath)
    if not folder or posixpath.splitext(name)[0] == "index":
        return False
    return any(os.path.isfile(os.path.join(config.posts_dir, folder, f"index{suffix}")) for suffix in FORMATS)


def _unknown_keys(fields: Fields, inherited: frozenset[str] = frozenset()) -> list[Warning_]:
    unknown = _unknown(fields.written, fields.config.reading.taxonomies)
    if not unknown:
        return []
    line_of = fields.parts.line_of
    return [warning(line_of(key), message) for key, message in unknown if key not in inherited]


@functools.lru_cache(maxsize=1024)
def _unknown(written: tuple[str, ...], taxonomies: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """(key, warning) for each of these keys (a post's, in order) that the reader does not know, once per
    distinct list."""
    known = _known_keys(taxonomies)  # lower-case: a key in it needs no lower()
    return tuple((key, _unknown_key(key)) for key in written if key not in known and key.lower() not in known)


@functools.lru_cache(maxsize=16)
def _known_keys(taxonomies: tuple[tuple[str, str], ...]) -> frozenset[str]:
    """The keys the reader knows, lower-case: its own, the engines', and the config's custom taxonomies."""
    return frozenset(KNOWN) | {key.lower() for key, _target in taxonomies}


@functools.lru_cache(maxsize=1024)
def _unknown_key(key: str) -> str:
    """The warning for an unknown key: one text per key, shared by every post that has it."""
    return f"unknown front matter key '{key}'{suggest(key, KNOWN_KEYS)}"


def _post(fields: Fields, relpath: str, digest: str, keep_body: bool) -> Post:
    folder, stem, suffix = path_parts(relpath)
    bundle = stem == "index" and bool(folder)
    if bundle:
        stem = posixpath.basename(folder)
    prefix = _DATE_PREFIX.match(stem)
    title = _title(fields, prefix.group(2) if prefix else None)
    roles = fields.roles  # a role the post has no key for is decided without a call (each gives None then)
    own = _own_address(fields)[1] if "own_url" in roles else None
    published = _published(fields, prefix, folder, own)
    slug = _slug(fields, own, prefix.group(2) if prefix else stem, title=title)
    site = fields.site
    # Jekyll fills :year/:month/:day in the site's time zone, whatever offset the date was written with.
    local = published.astimezone(site.timezone) if fields.engine == "jekyll" else published
    lang = fields.text(roles["lang"][0]) if "lang" in roles else None
    tags, categories = _taxonomies(fields, relpath)
    people = authors(fields)
    pattern = site.permalink if fields.engine != "pelican" else _pelican_rules().permalink(
        site.permalink, fields.config.reading, lang=lang, site_language=site.language,
        category=categories[0] if categories else "", author=people[0].name if people else "")
    year = local.year
    path = pattern.format(year=str(year) if year >= 1000 else f"{year:04d}", month=_TWO_DIGITS[local.month],
                          day=_TWO_DIGITS[local.day], slug=slug, folder=posixpath.dirname(folder) if bundle else folder)
    url = own or fields.base(_SLASHES.sub("/", path) if "//" in path else path)
    entry_id = fields.text("id") or entry_id_for(
        site.id_rule, url=url, published=published, slug=slug,
        tag_authority=site.tag_authority, pinned=fields.config.pinned_ids)
    canonical = fields.url(*_canonical(fields)) if "canonical" in roles else None
    meta = fields.meta
    return _new_post({  # every field of Post, in its order
        "source": relpath, "id": entry_id, "slug": slug, "title": title, "url": canonical or url,
        "published": published, "updated": ("updated" in roles and _dated(fields, "updated")) or published,
        "body": fields.parts.body if keep_body else "", "body_format": FORMATS[suffix.lower()],
        "summary": _summary(fields), "authors": people, "tags": tags, "categories": categories,
        "image": image(fields, _resolver(url) if bundle else fields.base) if "image" in roles else None,
        "influences": links(fields, "influences", "name"),
        "sources": links(fields, "sources", "title") if "sources" in meta else (), "via": via(fields),
        "license": fields.url("license", meta.get("license")), "lang": lang, "draft": _draft(fields),
        "canonical_url": canonical, "syndicate": syndicate(fields), "digest": digest,
        "expires": _dated(fields, "expires") if "expires" in roles else None,
    })


_TWO_DIGITS = tuple(f"{n:02d}" for n in range(32))  # f"{n:02d}" of a month or a day, without formatting it


def _new_post(values: dict[str, Any]) -> Post:
    """Post(**values) for values naming every field in Post's order: `values` becomes its state at once
    (as unpickling sets it, not by the frozen __init__'s 24 object.__setattr__ calls, 3 µs a post)."""
    post = _NEW(Post)
    _SET(post, "__dict__", values)
    return post


_NEW = object.__new__
_SET = object.__setattr__  # past the frozen dataclass's own __setattr__


def path_parts(relpath: str) -> tuple[str, str, str]:
    """(folder, stem, suffix) as posixpath.split and splitext give them, for a posts-relative path."""
    cut = relpath.rfind("/") + 1
    folder, name = relpath[:cut], relpath[cut:]
    if folder.strip("/"):
        folder = folder.rstrip("/")  # "a/b/" -> "a/b", as posixpath.split (a folder of slashes only stays)
    dot = name.rfind(".")
    if dot <= 0 or not name[:dot].strip("."):  # no dot, or only leading dots: no suffix (".hidden")
        return folder, name, ""
    return folder, name[:dot], name[dot:]


def _title(fields: Fields, dated_name: str | None) -> str:
    """The title; else the file name for Jekyll (a dated file is always a post), else empty for
    engines that publish untitled pages, else a page for a template or an error."""
    key = fields.first("title")[0] or None
    title = fields.text(key) if key else None
    if title and fields.config.reading.markdown_title and fields.parts.kind == "header":
        title = _markdown_text(title) or title  # rendered, then its text (Pelican)
    if title:
        if fields.engine == "jekyll":  # as jekyll-feed shows it
            from .typography import smartify  # (a Jekyll site's)

            return smartify(title)
        return title
    if key is None and fields.engine == "jekyll" and dated_name:  # Jekyll titles it from its name
        return " ".join(word.capitalize() for word in dated_name.split("-"))
    if key is None and (not fields.parts.body.strip() or fields.key(*_TEMPLATE_KEYS)
                        or not fields.role("published")):
        # a page for a template (a search page), or a snippet other pages include (Hugo's
        # headless bundles): no title and no date, so nobody meant it as a post
        raise NotAPost("a page without a title, made for a template", path=fields.path)
    if key is None and fields.engine in _UNTITLED_ENGINES:  # they publish a dated page untitled
        return ""
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
    if fields.engine == "zola" and not path.endswith("/"):
        path += "/"  # Zola's `path` is always a folder
    if fields.engine and path.startswith("/") and not path.startswith("//"):
        path = path[1:] or "./"  # engines put a page's own address under the site's path
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
        slug = _pelican_rules().slug(title) or None
    if slug is None:
        if fields.engine == "jekyll" and not own:  # Jekyll's :title keeps case and dots ("3.0")
            return _JEKYLL_SLUG.sub("-", fallback).strip("-") or slugify(fallback)
        if fields.engine == "zola" and not own:  # Zola slugifies file names as it does slugs
            return ascii_slug(fallback)
        return slugify((slug_of(own) if own else "") or fallback)
    if fields.engine == "zola":  # Zola slugifies the slugs it is given
        return ascii_slug(slug)
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
    reading = fields.config.reading
    if not (reading.taxonomies or reading.folder_category or reading.default_category or "taxonomies" in fields.keys):
        return _checked_names(fields, _deduped_names(fields, "tags"), _deduped_names(fields, "categories"))
    tags, categories = _named(fields, "tags"), _named(fields, "categories")
    table = fields.meta.get(fields.keys.get("taxonomies", ""))
    table = table if isinstance(table, dict) else {}
    if table:  # Zola's [taxonomies]
        if "tags" in table:
            tags += fields.names("taxonomies", table["tags"])
        if "categories" in table:
            categories += fields.names("taxonomies", table["categories"])
    for key, target in reading.taxonomies:  # Hugo custom taxonomies, from [posts]
        found = tags if target == "tags" else categories
        found += fields.names(fields.key(key.lower()))
        found += fields.names("taxonomies", table.get(key))
    if not categories and (reading.folder_category or reading.default_category) and (
            folder := _pelican_rules().category(relpath, reading)):
        categories.append(folder)
    return _checked_names(fields, dedupe(tags), dedupe(categories))


def _checked_names(fields: Fields, tags: tuple[str, ...], categories: tuple[str, ...]
                   ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The post's tags and categories, or an error when there are more than [limits] max_tags."""
    most = limits_of(fields.config).max_tags
    if len(tags) + len(categories) > most:
        raise fields.fail((*fields.role("tags"), *fields.role("categories"), "tags")[0],
                          f"{len(tags) + len(categories)} tags and categories, over the limit of {most} "
                          "([limits] max_tags)")
    return tags, categories


def _deduped_names(fields: Fields, target: str) -> tuple[str, ...]:
    """dedupe(_named(fields, target)); the usual one key holding a list of text, without copying the list."""
    keys = fields.role(target)
    if len(keys) == 1:
        value = fields.meta[keys[0]]
        if type(value) is list and value and {*map(type, value)} == _STR:
            return deduped(tuple(value))
    return dedupe(_named(fields, target))


_STR = {str}


def _named(fields: Fields, target: str) -> list[str]:
    """The names the post's keys for a taxonomy give (a list of its own)."""
    keys = fields.role(target)
    if not keys:
        return []
    if len(keys) == 1:
        return fields.names(keys[0])
    found: list[str] = []
    for key in keys:
        found += fields.names(key)
    return found


def _summary(fields: Fields) -> str | None:
    for key in fields.role("summary"):
        text = fields.text(key)
        if text:
            return text
    separator = fields.config.reading.excerpt_separator
    if separator and separator in fields.parts.body:  # the body only when there is a separator to look for
        return _markdown_text(fields.parts.body.split(separator, 1)[0]) or None
    return None


def _markdown_text(markdown: str) -> str:
    """The plain text of rendered Markdown (content.py, the renderer's module: loaded when needed)."""
    from .content import html_to_text, markdown_to_html

    return html_to_text(markdown_to_html(markdown))


def _resolver(base: str) -> Callable[[str], str]:
    """URLs resolved against a page bundle's own address."""
    from .content import resolver

    return resolver(base)


def _draft(fields: Fields) -> bool:
    key = fields.first("draft")[0]
    return (fields.flag(key) if key else False) or hidden(fields.meta, fields.keys)


def _pelican_rules() -> ModuleType:
    """posts/pelican_rules.py, loaded by the first post that follows Pelican's rules (with html.entities)."""
    from . import pelican_rules

    return pelican_rules
