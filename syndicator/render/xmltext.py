"""XML written as text, byte for byte as lxml serializes the same tree (UTF-8, pretty-printed).

The feed writers used to build an lxml tree per feed and serialize it; a post listed in ten
feeds was built and escaped ten times. Written as text, each entry becomes one string, made
once and joined into every feed that lists it. tests/render_reference.py keeps the lxml
writers, and tests/test_render_xmltext.py proves the bytes equal on generated feeds.

lxml's rules, followed here: two spaces of indent per level; an element with text (even "")
is written on one line, an element without text or children as `<tag/>`; text escapes
& < > and CR; attribute values also " LF and TAB; strings holding characters XML 1.0 forbids
are refused with ValueError (`check`). Namespaces are declared on the root, and only those
used (lxml's `cleanup_namespaces`): each writer tracks the prefixes it writes.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

from ..posts.html_text import has_nonchar

DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
# What lxml refuses in text and attribute values (C0 controls but tab, LF and CR; U+FFFE,
# U+FFFF; lone surrogates, which cannot be encoded as UTF-8).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def text(value: str) -> str:
    """Element text, escaped."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    return value


def text_bytes(value: str) -> bytes:
    """`encoded(text(value))`, escaped as UTF-8 bytes: for long text (a post's content) a
    quarter of the memory traffic of escaping a str that holds one character beyond U+FFFF."""
    return escape_utf8(encoded(value))


def escape_utf8(data: bytes) -> bytes:
    """XML text escaping of UTF-8 bytes (&, <, > and CR), each replace only where it is needed."""
    if b"&" in data:
        data = data.replace(b"&", b"&amp;")
    if b"<" in data:
        data = data.replace(b"<", b"&lt;")
    if b">" in data:
        data = data.replace(b">", b"&gt;")
    if b"\r" in data:
        data = data.replace(b"\r", b"&#13;")
    return data


def attr(value: str) -> str:
    """An attribute value, escaped (without its quotes)."""
    value = text(value)
    if '"' in value:
        value = value.replace('"', "&quot;")
    if "\n" in value:
        value = value.replace("\n", "&#10;")
    if "\t" in value:
        value = value.replace("\t", "&#9;")
    return value


def attrs(pairs: Mapping[str, str] | Iterable[tuple[str, str]]) -> str:
    """` name="value"` for each pair, in order."""
    items = pairs if isinstance(pairs, (list, tuple)) else pairs.items() if isinstance(pairs, Mapping) else pairs
    return "".join(f' {name}="{attr(value)}"' for name, value in items)


def element(indent: str, tag: str, value: str, extra: str = "") -> str:
    """One line: `<tag extra>value</tag>` (`extra` is `attrs(...)` output)."""
    return f"{indent}<{tag}{extra}>{text(value)}</{tag}>\n"


def element_bytes(indent: str, tag: str, value: str, extra: str = "", *,
                  escaped: bytes | None = None) -> tuple[str, bytes, str]:
    """`element()` in three parts: the start tag, the text as checked and escaped UTF-8
    (`text_bytes`, or `escaped` when the caller has it already), the end tag; for a long text,
    joined without escaping it as a str."""
    return f"{indent}<{tag}{extra}>", text_bytes(value) if escaped is None else escaped, f"</{tag}>\n"


def empty(indent: str, tag: str, extra: str = "") -> str:
    """One line: `<tag extra/>`."""
    return f"{indent}<{tag}{extra}/>\n"


_REFUSED = "All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters"
_C0 = bytes(range(0x09)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20))  # all but tab, LF, CR


def check(document: str) -> str:
    """`document`, or ValueError if it holds a character XML 1.0 forbids (as lxml refuses it)."""
    if _FORBIDDEN.search(document):
        raise ValueError(_REFUSED)
    return document


def encoded(document: str) -> bytes:
    """`document` as UTF-8 after `check`, faster on long text: a lone surrogate cannot be
    encoded (UnicodeEncodeError, a ValueError), and in UTF-8 bytes below 0x20 only ever encode
    C0 controls, U+FFFE / U+FFFF are EF BF BE / EF BF BF."""
    data = document.encode("utf-8")
    if len(data.translate(None, _C0)) != len(data) or has_nonchar(data):
        raise ValueError(_REFUSED)
    return data


def declarations(order: Mapping[str, str], used: Iterable[str], *, default: str | None = None) -> str:
    """The xmlns attributes for the prefixes `used`, in `order` (prefix -> URI)."""
    used = set(used)
    out = f' xmlns="{default}"' if default else ""
    return out + "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in order.items() if prefix in used)
