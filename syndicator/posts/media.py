"""A post's lead image from whichever key its engine uses: image, images[0], cover, heroImage..."""

from __future__ import annotations

from typing import Any, Callable

from ..config import suggest
from ..model import Credit, Image
from .fields import Fields
from .image_types import image_type
from .urls import extension

_IMAGE_FIELDS = ("url", "alt", "credit", "license")
_URL_ALIASES = ("url", "src", "path", "image", "file")  # jekyll-seo's path, Astro's src, Zola's cover.image
_ALT_ALIASES = ("alt", "caption", "title")
_CREDIT_FIELDS = ("name", "url", "source", "source_url")


def image(fields: Fields, base: Callable[[str], str]) -> Image | None:
    """The lead image; relative URLs resolve with `base` (the post's own URL in a page bundle)."""
    key, value = fields.first("image")
    if isinstance(value, list):  # Hugo's images = [...]: the first is the lead
        value = value[0] if value else None
    if value is None or value == "":
        return None
    if isinstance(value, str):  # the usual case: what {"url": value} gives, without the table's checks
        url = fields.url(key, value, base=base)
        return None if url is None else _image(url, _type_of(url))
    if not isinstance(value, dict):
        raise fields.fail(key, "must be a URL or a table with url (and alt, credit, license)")
    url_key = next((k for k in _URL_ALIASES if isinstance(value.get(k), str)), None)
    if url_key is None:
        raise fields.fail(key, "must be a URL or a table with url (and alt, credit, license)")
    if key == "image" and not fields.engine:  # syndicator's own format is checked strictly
        _only(fields, key, value, _IMAGE_FIELDS)
    url = fields.url(key, value[url_key], base=base)
    if url is None:
        return None
    alt = next((value[k] for k in _ALT_ALIASES if isinstance(value.get(k), str)), "")
    return Image(url=url, alt=alt, credit=_credit(fields, key, value.get("credit")),
                 license=fields.url(key, value.get("license")), type=_type_of(url))


def _image(url: str, type_: str | None) -> Image:
    """Image(url=url, type=type_), its state set at once (a frozen dataclass's __init__ sets each field
    by object.__setattr__: a third of the work of reading an image key)."""
    made = _NEW(Image)
    made.__dict__.update(url=url, alt="", credit=None, license=None, type=type_)
    return made


_NEW = object.__new__


def _type_of(url: str) -> str | None:
    """The MIME type an image URL's extension names."""
    if "?" in url or "#" in url:
        url = url.split("?", 1)[0].split("#", 1)[0]
    return image_type(extension(url).lower())


def _credit(fields: Fields, key: str, credit: Any) -> Credit | None:
    if credit is None:
        return None
    if isinstance(credit, str):
        credit = {"name": credit}
    if not isinstance(credit, dict) or not isinstance(credit.get("name"), str):
        raise fields.fail(key, "credit must be a name or a table with name, url, source, source_url")
    _only(fields, key, credit, _CREDIT_FIELDS, prefix="credit ")
    return Credit(name=credit["name"], url=fields.url(key, credit.get("url")),
                  source=credit.get("source"), source_url=fields.url(key, credit.get("source_url")))


def _only(fields: Fields, key: str, table: dict[str, Any], allowed: tuple[str, ...], prefix: str = "") -> None:
    for name in table:
        if name not in allowed:
            raise fields.fail(key, f"unknown {prefix}field '{name}'{suggest(name, allowed)}")
