"""MDX post bodies (Astro, Docusaurus, Next.js) -> plain Markdown, so no JavaScript reaches a feed.

MDX is Markdown with ESM (`import`/`export` lines), JSX components (`<Chart data={x} />`) and
`{expressions}`. A feed cannot run them: ESM statements, component tags and expressions are
removed and reported with their line; the text a component wraps stays, as the writer's words.
MDX has no indented code blocks, so the lines inside a component on lines of its own lose their
indentation (else Markdown would show them as code). Fenced and inline code stay literal, and
`{/* comments */}` go without a warning. Pure functions, no I/O.
"""

from __future__ import annotations

import re

from .templates import Expanded, Note

__all__ = ["strip"]

_ATTRS = r"""(?:[^<>{}"']|"[^"]*"|'[^']*'|\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\})*"""
_NAME = r"[A-Z][\w]*(?:\.[\w]+)*|[a-z][\w]*\.[\w.]+"  # components: Capitalised or member (`ui.Card`)
_TOKEN = re.compile(rf"""
  (?P<fence>^[ ]{{0,3}}(?P<fch>`{{3,}}|~{{3,}})[^\n]*\n.*?(?:^[ ]{{0,3}}(?P=fch)[`~]*[ \t]*(?:\n|\Z)|\Z))
 |(?P<code>(?P<ticks>`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)(?P=ticks)(?!`))
 |(?P<esm>^(?:import|export)\b(?:(?!\n[ \t]*\n).)*)
 |(?P<comment>\{{/\*.*?\*/\}})
 |(?P<block>^[ \t]*<(?P<bname>{_NAME})(?![\w.]){_ATTRS}(?<!/)>[ \t]*\n(?P<children>.*?)^[ \t]*</(?P=bname)>[ \t]*$)
 |(?P<tag></?(?:{_NAME})(?![\w.]){_ATTRS}/?>|<>|</>)
 |(?P<expr>\{{[^{{}}\n]*(?:\{{[^{{}}\n]*\}}[^{{}}\n]*)*\}})
""", re.VERBOSE | re.DOTALL | re.MULTILINE)
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)


def strip(source: str) -> Expanded:
    """Remove ESM, components and expressions (noted with their line); keep the wrapped text."""
    if not any(c in source for c in "<{") and "import" not in source and "export" not in source:
        return Expanded(source)
    notes: list[Note] = []
    return Expanded(_strip(source, 0, notes), tuple(notes))


def _strip(source: str, first_line: int, notes: list[Note]) -> str:
    def one(m: re.Match[str]) -> str:
        kind = m.lastgroup
        if kind in ("fence", "code"):
            return m.group(0)
        if kind == "comment":
            return ""
        line = first_line + source.count("\n", 0, m.start()) + 1
        if kind == "block":
            notes.append(Note(line, _short(f"<{m.group('bname')}>"), "an MDX component syndicator does not run"))
            inner_line = line + m.group(0).count("\n", 0, m.start("children") - m.start())
            return _INDENT.sub("", _strip(m.group("children"), inner_line - 1, notes)).rstrip("\n")
        reason = {"esm": "an MDX import or export", "tag": "an MDX component syndicator does not run",
                  "expr": "an MDX expression syndicator does not evaluate"}[kind]
        notes.append(Note(line, _short(m.group(0)), reason))
        return ""

    return _TOKEN.sub(one, source)


def _short(tag: str) -> str:
    tag = " ".join(tag.split())
    return tag if len(tag) <= 80 else tag[:77] + "..."
