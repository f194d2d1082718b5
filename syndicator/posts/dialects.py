"""What the big engines' front matter keys mean, as data: one place to look a key up.

Keys are matched case-insensitively (Hugo ignores case; Pelican lower-cases its headers).
Lists are in order of preference: the first key a post has wins.
"""

from __future__ import annotations

import functools
import re
from typing import Any

# syndicator's own keys (README "Front matter")
OWN_KEYS = frozenset((
    "title", "date", "updated", "id", "slug", "summary", "author", "authors", "tags",
    "categories", "image", "influences", "sources", "via", "license", "lang", "draft",
    "canonical_url", "syndicate",
))
PUBLISHED = ("publishdate", "pubdate", "published", "date")
UPDATED = ("updated", "lastmod", "last_modified_at", "modified", "updateddate", "updated_at")
EXPIRES = ("expirydate", "unpublishdate")
SUMMARY = ("summary", "excerpt", "description")
OWN_URL = ("permalink", "url", "path")
TAGS = ("tags", "tag")
CATEGORIES = ("categories", "category")
IMAGES = ("image", "images", "featured_image", "featuredimage", "cover", "heroimage", "thumbnail")
# Keys read here with a meaning, besides OWN_KEYS
READ_KEYS = frozenset(PUBLISHED + UPDATED + EXPIRES + SUMMARY + OWN_URL + TAGS + CATEGORIES + IMAGES + (
    "status", "headless", "build", "_build", "eleventyexcludefromcollections", "taxonomies",
    "excerpt_separator", "canonicalurl", "canonical", "language",
))
# Layout and theming keys of Hugo, Jekyll, Zola, Eleventy, Astro and Pelican: known, not used.
LAYOUT_KEYS = frozenset((
    # Hugo
    "layout", "weight", "type", "menu", "menus", "toc", "aliases", "outputs", "linktitle", "kind",
    "resources", "markup", "sitemap", "cascade", "translationkey", "iscjklanguage", "keywords",
    "params", "series", "showtoc", "tocopen", "hidemeta", "comments", "disableshare", "searchhidden",
    "showreadingtime", "showwordcount", "showbreadcrumbs", "ShowPostNavLinks".lower(), "mermaid", "math",
    "katex", "featured", "pinned", "subtitle", "noindex", "robots", "expirydate", "audio", "videos",
    # Jekyll (and its common plugins and themes)
    "redirect_from", "redirect_to", "render_with_liquid", "hidden", "pin", "share", "header",
    "classes", "sidebar", "read_time", "toc_label", "toc_icon", "toc_sticky", "author_profile",
    "show_date", "mathjax", "feature", "tagline", "last_modified_at", "sticky", "related",
    # Zola
    "template", "extra", "page_template", "in_search_index", "render", "sort_by", "paginate_by",
    "paginate_path", "paginate_reversed", "insert_anchor_links", "transparent", "generate_feeds",
    "generate_feed", "page_template", "authors",
    # Eleventy
    "eleventynavigation", "eleventycomputed", "eleventyimport", "pagination", "templateengineoverride",
    "dynamicpermalink", "permalinkbypassoutputdir", "eleventydataschema",
    # Astro
    "ogimage", "minutesread", "tags",
    # Pelican
    "save_as", "translation", "modified", "status", "custom_formatted_field",
))
KNOWN = OWN_KEYS | READ_KEYS | LAYOUT_KEYS
_WORDS = re.compile(r"[^\s,]+")


# role -> the keys that play it, in order of preference; classify() sorts a post's keys by role once
ROLES: dict[str, tuple[str, ...]] = {
    "title": ("title",), "slug": ("slug",), "draft": ("draft",), "lang": ("lang", "language"),
    "published": PUBLISHED, "updated": UPDATED, "expires": EXPIRES, "summary": SUMMARY,
    "own_url": OWN_URL, "image": IMAGES, "authors": ("authors", "author"), "tags": TAGS,
    "categories": CATEGORIES, "canonical": ("canonical_url", "canonicalurl", "canonical"),
}
_ROLE_OF = {name: (role, rank) for role, names in ROLES.items() for rank, name in enumerate(names)}


def classify(meta: dict[str, Any]) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """(lower-case key -> key as written, role -> the post's keys for it in order of preference).

    Worked out once per distinct list of keys (classify_keys: most posts of a site share a few), so
    the two tables are shared between posts: read them, never change them.
    """
    return classify_keys(tuple(meta))


@functools.lru_cache(maxsize=1024)
def classify_keys(written: tuple[str, ...]) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """classify() of a mapping with these keys, in this order."""
    keys: dict[str, str] = {}
    roles: dict[str, list[str]] = {}
    for key in written:
        low = key.lower()
        if low in keys:
            continue  # the first spelling wins
        keys[low] = key
        hit = _ROLE_OF.get(low)
        if hit is not None:
            roles.setdefault(hit[0], []).append(key)
    # two keys for one role (date and publishDate): best first
    return keys, {role: tuple(sorted(found, key=lambda k: _ROLE_OF[k.lower()][1])) for role, found in roles.items()}


def first_key(keys: dict[str, str], names: tuple[str, ...]) -> str | None:
    """The post's spelling of the first of `names` it has."""
    for name in names:
        found = keys.get(name)
        if found is not None:
            return found
    return None


def split_names(value: str, *, engine: str, header: bool) -> list[str]:
    """One front matter string -> names: Jekyll splits on spaces (or commas), Pelican on commas."""
    if header or engine == "pelican":  # Pelican: on semicolons when there are any, else on commas
        return [part for part in (p.strip() for p in value.split(";" if ";" in value else ",")) if part]
    if engine == "jekyll":
        return value.split(",") if "," in value else _WORDS.findall(value)
    return [value]


# The keys hidden() reads: a post with none of them (nor a key "", which each absent one looks up) is shown.
_HIDING = frozenset(("published", "headless", "eleventyexcludefromcollections", "status", "build", "_build", ""))


def hidden(meta: dict[str, Any], keys: dict[str, str]) -> bool:
    """True when the engine would keep this page out of its lists and feeds."""
    return not _HIDING.isdisjoint(keys) and _hides(meta, keys)  # the usual post has none of the keys


def _hides(meta: dict[str, Any], keys: dict[str, str]) -> bool:
    """hidden(), worked out in full."""
    if meta.get(keys.get("published", ""), True) is False:
        return True
    if _truthy(meta.get(keys.get("headless", ""))) or _truthy(meta.get(keys.get("eleventyexcludefromcollections", ""))):
        return True
    status = meta.get(keys.get("status", ""))
    if isinstance(status, str) and status.strip().lower() in ("draft", "hidden", "skip"):
        return True
    for name in ("build", "_build"):
        build = meta.get(keys.get(name, ""))
        if isinstance(build, dict):
            listing = {k.lower(): v for k, v in build.items()}.get("list")
            if listing in ("never", False, "false"):
                return True
    return False


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")
