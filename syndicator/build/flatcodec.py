"""The compact form of a Post, as the build cache stores one per post file.

A Post becomes a tuple of builtins (str, int, float, bool, None, bytes, tuples, lists) written with
marshal, which is several times faster than pickling the dataclasses. The config's authors are
written as their key (a bio is stored once, in the config); a datetime as pickle's own 10-byte
state and its zone: a ZoneInfo by key, a fixed offset in seconds. Whatever does not fit exactly
(another tzinfo, a subclass, a missing author) raises Unflat, and the caller pickles instead.
cache.dumps/loads choose between the two; tests/test_flatcodec.py proves the round trip exact.
"""

from __future__ import annotations

import functools
import marshal
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from ..model import Author, Credit, Image, Link, Post, Syndication

POST = b"\x01"  # the first byte of the compact form (a pickle starts with 0x80)
_VERSION = 4  # marshal's format version
_POST_FIELDS = tuple(Post.__dataclass_fields__)
_AUTHOR_FIELDS = tuple(Author.__dataclass_fields__)
(_PUBLISHED, _UPDATED, _AUTHORS, _IMAGE, _INFLUENCES, _SOURCES, _VIA, _SYNDICATE, _EXPIRES) = (
    _POST_FIELDS.index(name) for name in ("published", "updated", "authors", "image", "influences", "sources",
                                          "via", "syndicate", "expires"))
_NO_SYNDICATION = Syndication()
_new = object.__new__


class Unflat(Exception):
    """The value has a part the compact form does not carry exactly: pickle it instead."""


def encode(obj: Any, authors: Mapping[str, Author]) -> bytes | None:
    """The compact bytes of a Post; None for anything else, or a Post with a part the form does not carry."""
    if type(obj) is not Post:
        return None
    try:
        return POST + marshal.dumps(_post(obj, authors), _VERSION)
    except (Unflat, ValueError):  # ValueError: marshal met a type it does not write (a subclass)
        return None


def decode(data: bytes, authors: Mapping[str, Author]) -> Any:
    """What encode() wrote; KeyError for an author the config no longer has."""
    if data[:1] != POST:
        raise ValueError(f"not a compact record (first byte {data[:1]!r})")
    return _unpost(marshal.loads(memoryview(data)[1:]), authors)


# --- Post ----------------------------------------------------------------------------------------

def _post(post: Post, authors: Mapping[str, Author]) -> tuple[Any, ...]:
    state = post.__dict__
    if tuple(state) != _POST_FIELDS:  # made by __init__ or unpickled: the fields in their order
        raise Unflat
    values = list(state.values())
    values[_PUBLISHED] = _when(post.published)
    values[_UPDATED] = _when(post.updated)
    values[_AUTHORS] = tuple([_author(a, authors) for a in post.authors])
    values[_IMAGE] = _image(post.image)
    values[_INFLUENCES] = tuple([_link(link) for link in post.influences])
    values[_SOURCES] = tuple([_link(link) for link in post.sources])
    values[_VIA] = None if post.via is None else _link(post.via)
    values[_SYNDICATE] = _syndication(post.syndicate)
    values[_EXPIRES] = None if post.expires is None else _when(post.expires)
    return tuple(values)


def _unpost(values: tuple[Any, ...], authors: Mapping[str, Author]) -> Post:
    values = list(values)
    values[_PUBLISHED] = _unwhen(values[_PUBLISHED])
    values[_UPDATED] = _unwhen(values[_UPDATED])
    values[_AUTHORS] = tuple(_unauthor(a, authors) for a in values[_AUTHORS])
    values[_IMAGE] = _unimage(values[_IMAGE])
    values[_INFLUENCES] = tuple(_unlink(link) for link in values[_INFLUENCES])
    values[_SOURCES] = tuple(_unlink(link) for link in values[_SOURCES])
    values[_VIA] = None if values[_VIA] is None else _unlink(values[_VIA])
    values[_SYNDICATE] = _unsyndication(values[_SYNDICATE])
    values[_EXPIRES] = None if values[_EXPIRES] is None else _unwhen(values[_EXPIRES])
    return _frozen(Post, dict(zip(_POST_FIELDS, values)))


def _frozen(cls: type, state: dict[str, Any]) -> Any:
    """A frozen dataclass from its field values, as unpickling makes it (its __dict__ set at once)."""
    obj = _new(cls)
    obj.__dict__.update(state)
    return obj


def _when(moment: datetime) -> tuple[bytes, Any]:
    if type(moment) is not datetime:
        raise Unflat
    args = moment.__reduce_ex__(4)[1]  # pickle's state: 10 bytes, fold included; then the zone
    return (args[0], None) if len(args) == 1 else (args[0], _zone(args[1]))


def _unwhen(value: tuple[bytes, Any]) -> datetime:
    state, zone = value
    if zone is None:
        return datetime(state)  # type: ignore[call-overload]
    return datetime(state, _unzone(zone))  # type: ignore[call-overload]


def _zone(zone: tzinfo) -> int | str:
    kind = type(zone)
    if kind is timezone:  # equal offsets compare equal whatever their names: look up both
        return _offset_seconds(zone.utcoffset(None), zone.tzname(None))
    if kind is ZoneInfo:
        return _zone_key(zone)  # type: ignore[arg-type]
    raise Unflat


@functools.lru_cache(maxsize=256)
def _offset_seconds(offset: timedelta, name: str) -> int:
    """A fixed offset as whole seconds, if timezone(offset) gives it back exactly (name included)."""
    seconds = offset.days * 86400 + offset.seconds
    if offset.microseconds or name != _fixed(seconds).tzname(None):
        raise Unflat  # a named offset, or one finer than a second
    return seconds


@functools.lru_cache(maxsize=64)
def _zone_key(zone: ZoneInfo) -> str:
    """A zone's key, if ZoneInfo(key) gives back this very object (not one read from a file)."""
    key = zone.key
    if key is None or ZoneInfo(key) is not zone:
        raise Unflat
    return key


def _unzone(zone: int | str) -> tzinfo:
    return ZoneInfo(zone) if type(zone) is str else _fixed(zone)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=256)
def _fixed(seconds: int) -> timezone:
    """A fixed UTC offset, one object per distinct offset."""
    return timezone(timedelta(seconds=seconds))


def _author(author: Author, authors: Mapping[str, Author]) -> str | tuple[Any, ...]:
    if authors.get(author.key) is author:
        return author.key  # the config's own author: by reference
    if type(author) is not Author:
        raise Unflat
    return tuple(getattr(author, name) for name in _AUTHOR_FIELDS)


def _unauthor(value: str | tuple[Any, ...], authors: Mapping[str, Author]) -> Author:
    if type(value) is str:
        return authors[value]  # type: ignore[index]
    return _frozen(Author, dict(zip(_AUTHOR_FIELDS, value)))


def _image(image: Image | None) -> tuple[Any, ...] | None:
    if image is None:
        return None
    if type(image) is not Image:
        raise Unflat
    credit = image.credit
    if credit is not None:
        if type(credit) is not Credit:
            raise Unflat
        credit = (credit.name, credit.url, credit.source, credit.source_url)
    return (image.url, image.alt, credit, image.license, image.type)


def _unimage(value: tuple[Any, ...] | None) -> Image | None:
    if value is None:
        return None
    url, alt, credit, license_, type_ = value
    if credit is not None:
        name, curl, source, source_url = credit
        credit = _frozen(Credit, {"name": name, "url": curl, "source": source, "source_url": source_url})
    return _frozen(Image, {"url": url, "alt": alt, "credit": credit, "license": license_, "type": type_})


def _link(link: Link) -> tuple[Any, ...]:
    if type(link) is not Link:
        raise Unflat
    return (link.name, link.url, link.note)


def _unlink(value: tuple[Any, ...]) -> Link:
    name, url, note = value
    return _frozen(Link, {"name": name, "url": url, "note": note})


def _syndication(value: Syndication) -> tuple[Any, ...] | None:
    if type(value) is not Syndication:
        raise Unflat
    if value.enabled is True and value.skip == () and value.text == ():  # as Syndication(): the usual
        return None
    return (value.enabled, value.skip, value.text)


def _unsyndication(value: tuple[Any, ...] | None) -> Syndication:
    if value is None:
        return _NO_SYNDICATION
    enabled, skip, text = value
    return _frozen(Syndication, {"enabled": enabled, "skip": skip, "text": text})
