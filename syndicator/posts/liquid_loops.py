"""Liquid `{% assign %}` of a literal list and the `{% for %}` loops over it, unrolled before the
other template code is rendered (templates.py), as Jekyll renders them.

Jekyll's own news posts build their issue-link lists this way:

    {% assign issue_numbers = "1037|1040" | split: "|" %}
    {% for issue in issue_numbers %}
    [#{{ issue }}]: {{ site.repository }}/issues/{{ issue }}
    {% endfor %}

Only this simple form is evaluated: a quoted string, optionally `| split: "SEP"`, and loops whose
list is such a variable (or an inline `(1..3)` range), with `{{ item }}` in their body. Anything
else (`page.*`, filters on the item, `limit:`) is left as written, so templates.py removes it with
its warning. Fenced code, inline code and `{% raw %}` stay literal. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Unrolled", "unroll"]

_SKIP = re.compile(r"""
  (?P<fence>^[ ]{0,3}(?P<fch>`{3,}|~{3,})[^\n]*\n.*?(?:^[ ]{0,3}(?P=fch)[`~]*[ \t]*(?:\n|\Z)|\Z))
 |(?P<code>(?P<ticks>`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)(?P=ticks)(?!`))
 |(?P<raw>\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\})
 |(?P<assign>\{%-?\s*assign\s+(?P<name>\w+)\s*=\s*(?P<value>"[^"\n]*"|'[^'\n]*')
      (?:\s*\|\s*split\s*:\s*(?P<sep>"[^"\n]*"|'[^'\n]*'))?\s*-?%\}[ \t]*\n?)
 |(?P<loop>\{%-?\s*for\s+(?P<var>\w+)\s+in\s+(?P<over>\w+|\(\d+\.\.\d+\))\s*-?%\}[ \t]*\n?
      (?P<body>(?:(?!\{%-?\s*(?:end)?for\b).)*?)\{%-?\s*endfor\s*-?%\}[ \t]*\n?)
""", re.VERBOSE | re.DOTALL | re.MULTILINE)
_RANGE = re.compile(r"\((\d+)\.\.(\d+)\)")
_MAX_ITEMS = 1000  # a loop is unrolled only up to this many items (hostile input stays bounded)


@dataclass(frozen=True)
class Unrolled:
    """The body with simple assigns and loops evaluated; `shifts` maps lines back:
    (offset in the new text, lines added before it) in order."""

    text: str
    shifts: tuple[tuple[int, int], ...] = ()

    def original_line(self, offset: int) -> int:
        """The 1-based line in the original text of an offset in the new one."""
        line = self.text.count("\n", 0, offset) + 1
        added = 0
        for at, delta in self.shifts:
            if at > offset:
                break
            added = delta
        return line - added


def unroll(source: str) -> Unrolled:
    """Evaluate `{% assign x = "a|b" | split: "|" %}` and `{% for i in x %}...{% endfor %}`."""
    if "{%" not in source or ("assign" not in source and "for" not in source):
        return Unrolled(source)
    lists: dict[str, list[str]] = {}
    out: list[str] = []
    shifts: list[tuple[int, int]] = []
    added, pos, length = 0, 0, 0
    for m in _SKIP.finditer(source):
        text = _evaluate(m, lists)
        if text is None:
            continue
        out.append(source[pos:m.start()])
        length += m.start() - pos
        out.append(text)
        length += len(text)
        added += text.count("\n") - m.group(0).count("\n")
        shifts.append((length, added))
        pos = m.end()
    if not shifts:
        return Unrolled(source)
    out.append(source[pos:])
    return Unrolled("".join(out), tuple(shifts))


def _evaluate(m: re.Match[str], lists: dict[str, list[str]]) -> str | None:
    """The text for one match, or None to leave it as written."""
    kind = m.lastgroup
    if kind == "assign":
        value = m.group("value")[1:-1]
        sep = m.group("sep")
        lists[m.group("name")] = value.split(sep[1:-1]) if sep is not None and sep[1:-1] else [value]
        return ""
    if kind != "loop":
        return None
    over = m.group("over")
    span = _RANGE.fullmatch(over)
    if span:
        first, last = int(span.group(1)), int(span.group(2))
        items = [str(i) for i in range(first, min(last, first + _MAX_ITEMS - 1) + 1)]
    elif over in lists:
        items = lists[over][:_MAX_ITEMS]
    else:
        return None
    item = re.compile(r"\{\{-?\s*" + re.escape(m.group("var")) + r"\s*-?\}\}")
    return "".join(item.sub(lambda _m, v=value: v, m.group("body")) for value in items)
