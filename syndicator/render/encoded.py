"""An entry's content (its full HTML) encoded once for every format that writes it.

The content is most of an item's bytes. RSS and Atom write it as the same escaped XML text, and
JSON Feed as a JSON string; all three start from its UTF-8 bytes. `encode_content` makes those
bytes once and escapes them once per kind, on bytes (a post's HTML nearly always holds a
character beyond Latin-1, and escaping such a str costs four times the memory traffic).

The results equal `xmltext.text_bytes(content)` and the JSON encoder's string for `content`
(`json.encoder.encode_basestring`, without its quotes, as UTF-8); tests/test_render_encoded.py
holds them to it. Text a format cannot take this way is left to the writer's own slow path
(None), so that an error is raised where and as it always was: for XML, characters XML forbids
(the writer refuses the item); for JSON, C0 controls besides tab, LF and CR (written as \\u00XX)
and lone surrogates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..posts.html_text import has_nonchar
from .xmltext import escape_utf8


# What JSON escapes with a short escape, in the order applied (the backslash first).
_JSON_ESCAPES = ((b"\\", b"\\\\"), (b'"', b'\\"'), (b"\n", b"\\n"), (b"\r", b"\\r"), (b"\t", b"\\t"))
_C0_BUT_TAB_LF_CR = bytes(range(0x09)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20))
_XML_FORMATS = frozenset({"rss", "atom"})


@dataclass(frozen=True, slots=True)
class Encoded:
    """The content as the formats asked for write it: `xml` (escaped element text, UTF-8) and
    `json` (the JSON string's inside, UTF-8); None when not asked for, or (json) not made this way."""

    xml: bytes | None = None
    json: bytes | None = None


def encode_content(content: str | None, formats: Iterable[str]) -> Encoded:
    """The content's bytes for `formats`; never raises (see above)."""
    formats = set(formats)
    if content is None:
        return Encoded()
    try:
        data = content.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return Encoded()
    controls = len(data.translate(None, _C0_BUT_TAB_LF_CR)) != len(data)
    xml = _xml(data, controls) if formats & _XML_FORMATS else None
    return Encoded(xml=xml, json=_json(data) if "json" in formats and not controls else None)


def _xml(data: bytes, controls: bool) -> bytes | None:
    """`text_bytes` of the text whose UTF-8 is `data`; None when XML forbids a character of it
    (`controls`: a C0 control besides tab, LF and CR)."""
    if controls or has_nonchar(data):
        return None
    return escape_utf8(data)


def _json(data: bytes) -> bytes:
    """The JSON string (ensure_ascii=False) of text without C0 controls but tab, LF and CR, inside its
    quotes, as UTF-8: every other character is written as itself."""
    for plain, escaped in _JSON_ESCAPES:
        if plain in data:
            data = data.replace(plain, escaped)
    return data
