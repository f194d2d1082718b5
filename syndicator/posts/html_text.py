"""Markdown and HTML fragments -> HTML with absolute URLs, and plain text: the light helpers.

Post bodies (content.py), author bios (the config's and a post's own) and feed text use these;
they need only cmark-gfm and the standard library, so the config loads without the post
template engines that content.py brings.
"""

from __future__ import annotations

import html
import re
from typing import Callable

import cmarkgfm
from cmarkgfm.cmark import Options

from .cmark_render import to_html
from .resolve import resolver

# UNSAFE keeps raw HTML as written (the writer's own posts); FOOTNOTES enables [^1] notes.
_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES

# XML 1.0 allows tab, LF and CR among C0 controls; the rest (and U+FFFE/U+FFFF, lone
# surrogates) make a feed unparseable.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_C0 = bytes(range(0x09)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20))  # all but tab, LF, CR
_URL_ATTR = re.compile(r"""(\s(?:href|src|poster|cite|action)\s*=\s*)(?:"([^"]*)"|'([^']*)')""",
                       re.IGNORECASE)
_SRCSET = re.compile(r"""(\ssrcset\s*=\s*)(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
# The names above by their last letter (unique to each; only the ASCII letter in either case matches
# it under re.IGNORECASE): the name's length.
_URL_NAMES = {c: n for name in ("href", "src", "poster", "cite", "action") for c, n in
              ((name[-1], len(name)), (name[-1].upper(), len(name)))}
_SRCSET_NAME = {"t": 6, "T": 6}
_EQUALS_QUOTE = re.compile(r"""=\s*["']""")  # where either can match: found by a fast literal scan
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.DOTALL)
# cmark-gfm marks footnotes with bare attributes (`data-footnotes`); written as `attr=""` they
# mean the same in HTML and stay well-formed for readers that parse content as XHTML.
_BARE_ATTR = re.compile(r'(<(?:section|sup|a)\b[^>]*?\s)(data-footnotes|data-footnote-ref|data-footnote-backref)(?=[\s>])')
_TAG = re.compile(r"<[^>]*>")
_SPACE_AFTER = re.compile(r"([(\[]) ")  # "( word": the space a tag left after an opening bracket
_SPACE_BEFORE = re.compile(r" ([.,;:!?)\]…])")  # "word ." before punctuation
_SPACE = re.compile(r"\s+")


def strip_control(text: str) -> str:
    """Remove characters that XML 1.0 forbids. Long text (a post's body) is first checked as UTF-8,
    several times faster than the regex scans it, and returned as it is when it is clean."""
    if len(text) >= 512 and xml_clean(text):
        return text
    return _XML_INVALID.sub("", text)


def xml_clean(text: str) -> bool:
    """Whether `text` holds no character XML 1.0 forbids. In UTF-8, bytes below 0x20 only ever encode
    C0 controls and U+FFFE / U+FFFF are EF BF BE / EF BF BF; a lone surrogate cannot be encoded."""
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return len(raw.translate(None, _C0)) == len(raw) and not has_nonchar(raw)


def has_nonchar(raw: bytes) -> bool:
    """Whether UTF-8 `raw` holds U+FFFE or U+FFFF (EF BF BE / EF BF BF), looking for their rarer
    first byte alone first."""
    return b"\xef" in raw and (b"\xef\xbf\xbe" in raw or b"\xef\xbf\xbf" in raw)


def markdown_to_html(source: str) -> str:
    """Render CommonMark (with tables and footnotes) to HTML."""
    return bare_attributes_valued(to_html(source, options=_OPTIONS))


def bare_attributes_valued(rendered: str) -> str:
    """`_BARE_ATTR.sub(r'\\1\\2=""', rendered)`, with the pattern tried only where a match can start:
    at a "<" after the last ">" before each "data-footnote" (every match holds one, and no ">"
    lies between its "<" and it), from where the last match ended, in order, so leftmost first."""
    out, last, pos = [], 0, 0
    while (at := rendered.find("data-footnote", pos)) != -1:
        found = None
        tag = rendered.find("<", max(pos, rendered.rfind(">", 0, at) + 1), at)
        while tag != -1 and (found := _BARE_ATTR.match(rendered, tag)) is None:
            tag = rendered.find("<", tag + 1, at)
        if found is None:
            pos = at + 1
            continue
        out += (rendered[last:found.start()], found.group(1), found.group(2), '=""')
        last = pos = found.end()
    if not out:
        return rendered
    out.append(rendered[last:])
    return "".join(out)


def absolutize(fragment: str, base: str) -> str:
    """Make every href/src/srcset/poster URL in an HTML fragment absolute against `base`."""
    resolve = resolver(base)

    def attr(m: re.Match[str]) -> str:
        value = m.group(2) if m.group(2) is not None else m.group(3)
        return f'{m.group(1)}"{html.escape(resolve(html.unescape(value)), quote=True)}"'

    def srcset(m: re.Match[str]) -> str:
        value = html.unescape(m.group(2) if m.group(2) is not None else m.group(3))
        parts = []
        for candidate in value.split(","):
            bits = candidate.strip().split(None, 1)
            if bits:
                bits[0] = resolve(bits[0])
                parts.append(" ".join(bits))
        return f'{m.group(1)}"{html.escape(", ".join(parts), quote=True)}"'

    return _sub_at_equals(_SRCSET, _SRCSET_NAME, srcset, _sub_at_equals(_URL_ATTR, _URL_NAMES, attr, fragment))


def _sub_at_equals(pattern: re.Pattern[str], names: dict[str, int], repl: Callable[[re.Match[str]], str],
                   text: str) -> str:
    """`pattern.sub(repl, text)` for a `\\s NAME \\s* = \\s* quote` pattern, several times faster:
    a match can only start one whitespace character before a name that ends where the
    whitespace before an "=" followed by a quote begins, so only there is `pattern` tried, and
    only when the character there ends one of the names (`names`: last letter, either case ->
    the name's length; no other character matches those letters case-insensitively). Starts
    found that way rise with the "=" (none lies between another's start and its "="), so the
    leftmost-first order of `sub` is kept."""
    out, last = [], 0
    for equals in _EQUALS_QUOTE.finditer(text):
        end = equals.start()
        while end > last and text[end - 1].isspace():
            end -= 1
        length = names.get(text[end - 1]) if end > last else None
        if length is not None and end - length - 1 >= last:
            start = end - length - 1
            found = pattern.match(text, start)
            if found is not None:
                out += (text[last:start], repl(found))
                last = found.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: tags and footnote markers dropped, spaces folded."""
    text = _TAG.sub(" ", _FOOTNOTE_REF.sub("", fragment))
    text = _SPACE.sub(" ", html.unescape(text)).strip()
    # Tags replaced by spaces leave "word ." where inline markup closed before punctuation.
    return _SPACE_BEFORE.sub(_first_group, _SPACE_AFTER.sub(_first_group, text))


def _first_group(m: re.Match[str]) -> str:
    return m.group(1)


def render_bio(source: str, site_url: str) -> tuple[str, str]:
    """An author bio (short Markdown) -> (HTML with absolute URLs, plain text)."""
    # cmarkgfm's own function (it keeps what it allocates, a few KB for a bio): no ctypes import
    # (cmark_render) each time the config loads.
    markup = bare_attributes_valued(cmarkgfm.github_flavored_markdown_to_html(strip_control(source), options=_OPTIONS))
    rendered = absolutize(markup, site_url).strip()
    return rendered, html_to_text(rendered)
