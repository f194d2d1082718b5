"""Who wrote a post: names, keys of [authors], or inline tables, as each engine writes them."""

from __future__ import annotations

from typing import Any

from ..model import Author
from .fields import Fields
from .slugs import slugify

_AUTHOR_FIELDS = ("name", "url", "email", "avatar", "bio")
_NESTED = ("extra", "params")  # Zola's [extra] and Hugo's [params] often hold the author


def authors(fields: Fields) -> tuple[Author, ...]:
    """The post's authors; the site's owner when it names none."""
    key, value = fields.first("authors")
    if value is None:
        key, value = _nested_author(fields)
    if value is None or value == "" or value == []:
        owner = fields.config.author(fields.site.owner) if fields.site.owner else None
        return (owner,) if owner else ()
    if isinstance(value, str) and fields.parts.kind not in ("header", "htmlpage"):  # one name: as the loop below
        name = " ".join(value.split())  # finds it, without the loop
        return (by_name(fields.config.authors, name),) if name else ()
    if isinstance(value, str):
        entries: list[Any] = fields.names(key, value)
    else:
        entries = value if isinstance(value, list) else [value]
    found: dict[str, Author] = {}
    for entry in entries:
        author = _author(fields, key, entry)
        if author is not None:
            found.setdefault(author.key, author)
    return tuple(found.values())


def _nested_author(fields: Fields) -> tuple[str, Any]:
    for table_key in _NESTED:
        table = fields.meta.get(fields.key(table_key) or "")
        if isinstance(table, dict):
            for name in ("authors", "author"):
                if table.get(name):
                    return fields.key(table_key) or table_key, table[name]
    return "", None


def _author(fields: Fields, key: str, entry: Any) -> Author | None:
    if isinstance(entry, (int, float)) and not isinstance(entry, bool):
        entry = str(entry)
    if isinstance(entry, str):
        name = " ".join(entry.split())
        return by_name(fields.config.authors, name) if name else None
    if isinstance(entry, dict) and isinstance(entry.get("name"), str):
        return _inline(fields, key, entry)
    raise fields.fail(key, "each author must be a name, a key of [authors], or a table with a name")


def by_name(configured: dict[str, Author], name: str) -> Author:
    """The [authors] entry whose key or name is `name` (any case); else an author with that name."""
    exact = configured.get(name)
    if exact is not None:
        return exact
    folded = name.casefold()
    for key, author in configured.items():
        if key.casefold() == folded or author.name.casefold() == folded:
            return author
    return Author(key=slugify(name), name=name)


def _inline(fields: Fields, key: str, entry: dict[str, Any]) -> Author:
    from .content import render_bio

    for extra in sorted(set(entry) - set(_AUTHOR_FIELDS)):
        fields.warn(key, f"author field '{extra}' is not used")
    bio = entry.get("bio")
    bio_html, bio_text = render_bio(str(bio), fields.site.url) if bio else (None, None)
    email = entry.get("email")
    return Author(key=slugify(entry["name"]), name=entry["name"], url=fields.url(key, entry.get("url")),
                  email=email if isinstance(email, str) else None, avatar=fields.url(key, entry.get("avatar")),
                  bio=bio, bio_html=bio_html, bio_text=bio_text)
