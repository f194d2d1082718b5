"""Template code in a post body -> plain Markdown/HTML, so none reaches a feed raw.

Hugo shortcodes (`{{< name >}}`, `{{% name %}}`) and Liquid (`{% tag %}`, `{{ value }}`) as
Hugo, Jekyll and Eleventy posts carry them. The common ones render (see shortcodes.py); any
other is removed and reported with its line. Fenced code, inline code spans and
`{% raw %}` blocks stay literal text: that is where writers show template code on purpose.
Pure functions, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import shortcodes
from .liquid_loops import unroll
from .shortcodes import Context

__all__ = ["Context", "Expanded", "Note", "context_for", "expand", "has_template_code", "problems"]

_BODY = r"(?:(?!\n[ \t]*\n).)*?"  # a tag may span lines, not paragraphs
_TOKEN = re.compile(r"""
  (?P<fence>^[ ]{0,3}(?P<fch>`{3,}|~{3,})[^\n]*\n.*?(?:^[ ]{0,3}(?P=fch)[`~]*[ \t]*(?:\n|\Z)|\Z))
 |(?P<code>(?P<ticks>`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)(?P=ticks)(?!`))
 |(?P<raw>\{%-?\s*raw\s*-?%\}(?P<rawbody>.*?)\{%-?\s*endraw\s*-?%\})
 |(?P<comment>\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\})
 |(?P<lhl>\{%-?\s*highlight\s+(?P<lhlang>[^\s%]+)[^%]*?-?%\}[ \t]*\n?(?P<lhcode>.*?)
      \{%-?\s*endhighlight\s*-?%\})
 |(?P<hhl>\{\{[<%]\s*highlight\s+(?P<hhlang>"[^"]*"|[^\s>%]+)[^\n]*?[>%]\}\}[ \t]*\n?(?P<hhcode>.*?)
      \{\{[<%]\s*/\s*highlight\s*[>%]\}\})
 |(?P<hinline>\{\{[<%]\s*(?P<iname>[\w-]+\.inline)\s*[>%]\}\}(?P<ibody>.*?)\{\{[<%]\s*/\s*(?P=iname)\s*[>%]\}\})
 |(?P<hesc>\{\{(?P<hed>[<%])\s*/\*(?P<hebody>.*?)\*/\s*[>%]\}\})
 |(?P<hugo>\{\{<\s*(?P<hbody>BODY)\s*>\}\}|\{\{%\s*(?P<hpbody>BODY)\s*%\}\})
 |(?P<ltag>\{%-?\s*(?P<lbody>BODY)\s*-?%\})
 |(?P<lout>\{\{-?\s*(?P<obody>BODY)\s*-?\}\})
""".replace("BODY", _BODY), re.VERBOSE | re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Note:
    """Template code that could not be rendered and was removed: its body line and the tag."""

    line: int  # 1-based, counted from the first line of the body
    tag: str
    reason: str

    def message(self) -> str:
        """The warning as the user reads it."""
        return f"template code {self.tag} removed from the feed ({self.reason})"


@dataclass(frozen=True)
class Expanded:
    """The body with template code rendered or removed, and what was removed."""

    text: str
    notes: tuple[Note, ...] = ()


def context_for(site_url: str, permalink: str, variables: tuple[tuple[str, str], ...] = ()) -> Context:
    """The values templates may use, from the site's address and permalink pattern."""
    return Context(site_url=site_url if site_url.endswith("/") else site_url + "/", permalink=permalink,
                   variables=variables)


def has_template_code(source: str) -> bool:
    """Cheap test: could this body hold template code at all? (One-character search first: it is
    about fifteen times faster than a two-character one, and most bodies have no brace.)"""
    return "{" in source and ("{{" in source or "{%" in source)


def problems(body: str, *, body_line: int, site_url: str, permalink: str,
             variables: tuple[tuple[str, str], ...] = ()) -> list[tuple[int, str]]:
    """(file line, message) for each piece of template code a feed would lose."""
    if not has_template_code(body):
        return []
    found = expand(body, context=context_for(site_url, permalink, variables)).notes
    return [(body_line + note.line - 1, note.message()) for note in found]


def expand(source: str, *, context: Context) -> Expanded:
    """Render the common shortcodes and Liquid tags; remove (and note) every other one."""
    if not has_template_code(source):
        return Expanded(source)
    notes: list[Note] = []
    unrolled = unroll(source)  # simple Liquid loops first, as Jekyll runs them (liquid_loops.py)

    def one(m: re.Match[str]) -> str:
        done = _replace(m, context)
        if isinstance(done, str):
            return done
        tag, reason = done
        notes.append(Note(unrolled.original_line(m.start()), _short(tag), reason))
        return ""

    return Expanded(_TOKEN.sub(one, unrolled.text), tuple(notes))


def _replace(m: re.Match[str], ctx: Context) -> str | tuple[str, str]:
    """The text for one token, or (tag, reason) when it is removed."""
    kind = m.lastgroup  # the outermost named group: each alternative is one
    if kind in ("fence", "code"):
        return m.group(0)
    if kind == "raw":
        return m.group("rawbody")
    if kind == "comment":
        return ""
    if kind == "lhl":
        return shortcodes.code_block(m.group("lhlang"), m.group("lhcode"))
    if kind == "hhl":
        return shortcodes.code_block(m.group("hhlang").strip('"'), m.group("hhcode"))
    if kind == "hinline":  # a template defined in the post: its text only when it holds no code
        inner = m.group("ibody")
        return (f"{{{{< {m.group('iname')} >}}}}", "an inline shortcode runs template code") \
            if has_template_code(inner) else inner
    if kind == "hesc":
        d = m.group("hed")
        return "{{" + d + m.group("hebody") + (">" if d == "<" else "%") + "}}"
    if kind == "hugo":
        body = m.group("hbody") if m.group("hbody") is not None else m.group("hpbody")
        return _or(shortcodes.hugo(body, ctx), m, "a shortcode syndicator does not render")
    if kind == "ltag":
        return _or(shortcodes.liquid_tag(m.group("lbody"), ctx), m, "a Liquid tag syndicator does not render")
    return _or(shortcodes.liquid_output(m.group("obody"), ctx), m, "a value syndicator does not know")


def _or(done: str | None, m: re.Match[str], reason: str) -> str | tuple[str, str]:
    return done if done is not None else (m.group(0), reason)


def _short(tag: str) -> str:
    tag = " ".join(tag.split())
    return tag if len(tag) <= 80 else tag[:77] + "..."
