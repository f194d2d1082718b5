"""Attribution and syndication front matter: influences, sources, via, and `syndicate`."""

from __future__ import annotations

import functools

from ..config import suggest
from ..model import Link, Syndication
from .fields import Fields


def links(fields: Fields, key: str, label: str) -> tuple[Link, ...]:
    """Names, or tables with a name (or `label`), url and note."""
    value = fields.meta.get(key)
    if value is None:
        return ()
    if type(value) is list and {*map(type, value)} == _STR:  # names only, the usual: once per list of them
        return _named_links(tuple(value))
    out = []
    for entry in value if isinstance(value, list) else [value]:
        if type(entry) is str:
            out.append(_named(entry))
        elif isinstance(entry, str):
            out.append(Link(name=entry))
        elif isinstance(entry, dict) and isinstance(entry.get(label) or entry.get("name"), str):
            for name in entry:
                if name not in (label, "name", "url", "note"):
                    raise fields.fail(key, f"unknown field '{name}'{suggest(name, (label, 'name', 'url', 'note'))}")
            out.append(Link(name=entry.get(label) or entry["name"], url=fields.url(key, entry.get("url")),
                            note=entry.get("note")))
        else:
            raise fields.fail(key, f"each entry must be a name or a table with {label} and url")
    return tuple(out)


_STR = {str}


@functools.lru_cache(maxsize=1024)
def _named_links(names: tuple[str, ...]) -> tuple[Link, ...]:
    """links() of a list of names (each a `str`)."""
    return tuple(map(_named, names))


@functools.lru_cache(maxsize=1024)
def _named(name: str) -> Link:
    """A link that is only a name, made once per distinct name (influences repeat across posts)."""
    return Link(name=name)


def via(fields: Fields) -> Link | None:
    """Where the post came by: a URL, or a table with title and url."""
    value = fields.meta.get("via")
    if value is None:
        return None  # as links() of nothing gives
    if isinstance(value, str):
        url = fields.url("via", value)
        return Link(name=value, url=url) if url else None
    found = links(fields, "via", "title")
    return found[0] if found else None


_SYNDICATE = {True: Syndication(enabled=True), False: Syndication(enabled=False)}  # frozen: shared by posts


def syndicate(fields: Fields) -> Syndication:
    """true/false, or per endpoint: false to skip it, or the text to post there."""
    value = fields.meta.get("syndicate", True)
    if value is True or value is False:
        return _SYNDICATE[value]
    if not isinstance(value, dict):
        raise fields.fail("syndicate", "must be true, false, or a table of endpoint names")
    skip, text = [], []
    for name, setting in sorted(value.items()):
        if setting is False:
            skip.append(name)
        elif isinstance(setting, str):
            text.append((name, setting))
        elif setting is not True:
            raise fields.fail("syndicate", f"{name} must be false or the text to post there")
    return Syndication(enabled=True, skip=tuple(skip), text=tuple(text))
