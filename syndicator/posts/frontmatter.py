"""Split a post file into front matter and body, and parse the front matter.

Formats, as the engines write them:
- YAML between `---` lines (Jekyll, Hugo, Eleventy, Astro; `---yaml` too);
- TOML between `+++` lines (Hugo, Zola);
- JSON: a JSON object at the very start of the file (Hugo), or between `---json` and `---` (Eleventy);
- Eleventy's `---js`, where it is plain data: `const title = "...";` lines;
- a `Key: value` header ended by a blank line (Pelican, Python-Markdown's meta extension).

YAML timestamps are kept as text, so the reader checks every date itself and an impossible one
(2025-02-29) is reported at its line. Size and nesting are bounded (see limits.py).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import PostError
from . import flatyaml
from .limits import DEFAULT_LIMITS, PostLimits

# PyYAML, json, tomllib and ast are imported where used: most front matter is flat YAML
# (flatyaml.py), and a command that reads one post should not load four parsers for it.


@functools.lru_cache(maxsize=1)
def _yaml_loader() -> Any:
    """The safe loader (libyaml's C one, about six times faster), with timestamps left as the text
    written (dates.py parses them)."""
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # SafeLoader: PyYAML built without libyaml

    class YamlLoader(base):  # type: ignore[misc, valid-type]
        """The safe loader, timestamps as text."""

    YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    return YamlLoader

_FENCES = {"---": "yaml", "---yaml": "yaml", "---yml": "yaml", "+++": "toml", "---json": "json",
           "---js": "js", "---javascript": "js"}
_CLOSING = {fence: "+++" if fence == "+++" else "---" for fence in _FENCES}
_CLOSERS = {closing: re.compile(rf"^{re.escape(closing)}[ \t]*\r?$", re.MULTILINE) for closing in ("---", "+++")}
_JS_LINE = re.compile(r"(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(.+?)\s*;?\s*")
_JS_WORDS = {"true": True, "false": False, "null": None, "undefined": None}
_HEADER_LINE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*:(?:[ \t]|$)")
_CONTINUATION = re.compile(r"[ \t]+\S")


@dataclass(frozen=True)
class Split:
    """A post file's parts. `body_line` is the 1-based line where the body starts."""

    meta: dict[str, Any]
    body: str
    body_line: int
    raw_meta: str
    kind: str = "yaml"  # "yaml", "toml", "json" or "header" (Pelican's `Key: value` lines)
    meta_line: int = 2  # the file line where raw_meta starts
    notes: tuple[tuple[int, str], ...] = ()  # (line, warning) the format's own parser reported (reST)
    # lower-cased key -> its first line in raw_meta (0-based), where the parser knew it (flat YAML)
    key_lines: dict[str, int] | None = field(default=None, compare=False, repr=False)

    def __getattr__(self, name: str) -> Any:
        """A Split made by split() cuts its body from the file's text when `body` is first read (a scan
        reads the body of few posts: most only need their front matter). Any other missing name is
        missing."""
        state = self.__dict__
        if name != "body" or "_text" not in state:
            raise AttributeError(name)
        text, start = state["_text"], state["_body_at"]
        body = text[start + 1:] if text.startswith("\n", start) else text[start:]
        object.__setattr__(self, "body", body)  # cut once
        return body

    def line_of(self, key: str) -> int:
        """The file line where a top-level key is written (the first front matter line if not found)."""
        if self.key_lines is not None:  # the same answer as key_line's (tests/test_frontmatter_lines.py)
            found = self.key_lines.get(key.lower())
            return self.meta_line if found is None else found + self.meta_line
        return key_line(self.raw_meta, key, first=self.meta_line)


def split(text: str, path: str, *, limits: PostLimits = DEFAULT_LIMITS) -> Split:
    """Separate and parse the front matter; raises PostError with the line of the problem."""
    if text.startswith("{"):
        return _split_json_object(text, path, limits)
    newline = text.find("\n")
    start = len(text) if newline < 0 else newline + 1  # where the second line starts
    first = text[:newline] if newline >= 0 else text
    fence = first.rstrip()
    kind = _FENCES.get(fence)
    if kind is None:
        if _HEADER_LINE.match(first):
            return _split_header(text, path, limits)
        raise PostError("no front matter: the file must start with '---' (YAML), '+++' (TOML), "
                        "a JSON object, or 'Title: ...' header lines", path=path, line=1)
    closing = _CLOSING[fence]
    end = _closing_line(text, start, closing)
    if end is None:
        raise PostError(f"front matter is not closed: no line '{closing}' after line 1", path=path, line=1)
    raw = text[start:end.start()]
    _check_size(raw, path, limits)
    body_line = raw.count("\n") + 3
    flat = flatyaml.load_lines(raw) if kind == "yaml" else None  # most front matter: no PyYAML needed
    if flat is not None:
        meta, key_lines = flat
        if dict in map(type, meta.values()):  # tables one level deep
            _check_nesting(meta, raw, path, limits)
    else:
        parse = {"yaml": _parse_yaml, "toml": _parse_toml, "json": _parse_json, "js": _parse_js}[kind]
        meta, key_lines = parse(raw, path), None
        _check_nesting(meta, raw, path, limits)
    split = _NEW(Split)  # Split(meta, body, ...) with the body cut only when read (see Split.__getattr__)
    split.__dict__.update(meta=meta, body_line=body_line, raw_meta=raw, kind=kind, meta_line=2, notes=(),
                          key_lines=key_lines, _text=text, _body_at=end.end())
    return split


_NEW = object.__new__


def _closing_line(text: str, start: int, closing: str) -> re.Match[str] | None:
    """The first line from `start` on that is the closing fence, as _CLOSERS[closing].search(text, start)
    finds it: a search for the fence after a newline, then the regex only there (a regex starting
    with `^` is tried at every character of the front matter)."""
    pattern, lead = _CLOSERS[closing], "\n" + closing
    at = start - 1
    while True:
        at = text.find(lead, at)
        if at < 0:
            return None
        found = pattern.match(text, at + 1)
        if found is not None:
            return found
        at += 1


def _check_size(raw: str, path: str, limits: PostLimits) -> None:
    most = limits.max_front_matter_bytes
    if len(raw) > most or (len(raw) * 4 > most and len(raw.encode("utf-8", "surrogatepass")) > most):
        raise PostError(f"the front matter is over the limit of {most:,} bytes ([limits] max_front_matter_bytes)",
                        path=path, line=1)


def _check_nesting(meta: dict[str, Any], raw: str, path: str, limits: PostLimits, *, first: int = 2) -> None:
    """Reject lists and tables nested deeper than the limit, at the top-level key holding them."""
    most = limits.max_nesting
    # Each level of nesting costs at least one of these characters in any of the formats
    # (a bracket, a brace, a line, a '- ' or '? ' item, a dotted TOML key): most front matter
    # has too few of them to nest that deep, and need not be walked.
    if sum(raw.count(c) for c in "[{\n-.?") < most:
        return
    for key, value in meta.items():
        if isinstance(value, (list, dict)) and depth(value, most + 1) > most:
            raise PostError(f"{key}: lists and tables are nested more than {most} deep ([limits] max_nesting)",
                            path=path, line=key_line(raw, key, first=first))


def depth(value: Any, stop: int) -> int:
    """How deeply lists and tables nest in `value` (1 for a flat list), counting no further than `stop`."""
    deepest, seen = 0, set()
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if id(item) in seen:  # YAML aliases share objects: visit each once
            continue
        seen.add(id(item))
        deepest = max(deepest, level)
        if deepest >= stop:
            return deepest
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, level + 1) for c in children if isinstance(c, (list, dict)))
    return deepest


def _parse_yaml(raw: str, path: str) -> dict[str, Any]:
    """libyaml, for what flatyaml declined (split() asks it first)."""
    import yaml

    try:
        data = yaml.load(raw, Loader=_yaml_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        start = getattr(exc, "context_mark", None)
        if start is not None and start.line + 2 != line and getattr(exc, "context", None):
            problem += f" ({exc.context} started on line {start.line + 2})"
        raise PostError(f"invalid YAML front matter: {problem}", path=path, line=line) from None
    except RecursionError:
        raise PostError("invalid YAML front matter: nested too deeply", path=path, line=1) from None
    except (ValueError, TypeError, OverflowError) as exc:  # a value a constructor refused
        raise PostError(f"invalid YAML front matter: {exc}", path=path, line=1) from None
    return _as_table(data, path)


def _parse_toml(raw: str, path: str) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        # "at end of document": the last line of the front matter (the file's line 1 is '+++')
        line = int(found.group(1)) + 1 if found else max(raw.count("\n"), 1) + 1
        message = re.sub(r"\s*\(at (?:line \d+, column \d+|end of document)\)", "", str(exc))
        raise PostError(f"invalid TOML front matter: {message}", path=path, line=line) from None
    except RecursionError:
        raise PostError("invalid TOML front matter: nested too deeply", path=path, line=2) from None


def _parse_json(raw: str, path: str, first_line: int = 2) -> dict[str, Any]:
    import json

    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise PostError(f"invalid JSON front matter: {exc.msg}", path=path, line=exc.lineno + first_line - 1) from None
    except RecursionError:
        raise PostError("invalid JSON front matter: nested too deeply", path=path, line=first_line) from None
    return _as_table(data, path)


def _parse_js(raw: str, path: str) -> dict[str, Any]:
    """Eleventy's JavaScript front matter, as far as it is data: `const name = "value";` lines."""
    import ast

    meta: dict[str, Any] = {}
    for number, line in enumerate(raw.split("\n"), start=2):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        found = _JS_LINE.fullmatch(line.strip())
        try:
            value = found.group(2) if found else ""
            meta[found.group(1)] = _JS_WORDS[value] if value in _JS_WORDS else ast.literal_eval(value)  # type: ignore[union-attr]
        except (ValueError, SyntaxError, AttributeError, MemoryError, RecursionError):
            raise PostError("JavaScript front matter is code; syndicator reads only lines like "
                            "`const title = \"...\";` with plain values", path=path, line=number) from None
    return meta


def _split_json_object(text: str, path: str, limits: PostLimits) -> Split:
    """Hugo's JSON front matter: a JSON object at the start of the file, then the body."""
    end = _json_end(text, path)
    raw = text[:end]
    _check_size(raw, path, limits)
    meta = _parse_json(raw, path, first_line=1)
    _check_nesting(meta, raw, path, limits, first=1)
    after = text[end:]
    body = after[1:] if after.startswith("\n") else after
    return Split(meta=meta, body=body, body_line=raw.count("\n") + 2, raw_meta=raw, kind="json", meta_line=1)


def _json_end(text: str, path: str) -> int:
    import json

    try:
        _data, end = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError as exc:
        raise PostError(f"invalid JSON front matter: {exc.msg}", path=path, line=exc.lineno) from None
    except RecursionError:
        raise PostError("invalid JSON front matter: nested too deeply", path=path, line=1) from None
    return end


def _split_header(text: str, path: str, limits: PostLimits) -> Split:
    """Pelican's and Python-Markdown's `Key: value` lines, up to the first blank line."""
    meta: dict[str, Any] = {}
    lines = text.split("\n")
    last_key, count = "", 0
    for count, line in enumerate(lines, start=1):
        if not line.strip():
            break
        if last_key and _CONTINUATION.match(line):
            meta[last_key] = f"{meta[last_key]} {line.strip()}".strip()
            continue
        if not _HEADER_LINE.match(line):
            raise PostError(f"header line is not 'Key: value': {line[:60]!r}", path=path, line=count)
        key, _, value = line.partition(":")
        last_key = key.strip().lower()
        meta[last_key] = value.strip()
    else:
        count += 1
    raw = "\n".join(lines[: count - 1]) + "\n"
    _check_size(raw, path, limits)
    body = "\n".join(lines[count:])
    return Split(meta=meta, body=body, body_line=count + 1, raw_meta=raw, kind="header", meta_line=1)


def _as_table(data: Any, path: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PostError("front matter must be a mapping of keys to values", path=path, line=2)
    return {str(k): v for k, v in data.items()}


def key_line(raw_meta: str, key: str, *, first: int = 2) -> int:
    """The file line where a top-level front matter key is written (`first`, raw_meta's line, if not found)."""
    pattern = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*[:=]", re.MULTILINE | re.IGNORECASE)
    found = pattern.search(raw_meta)
    return raw_meta.count("\n", 0, found.start()) + first if found else first


def body_of(text: str) -> str:
    """Only the body of a post file's text, without parsing its front matter (JSON excepted)."""
    if text.startswith("{"):
        try:
            end = _json_end(text, "")
        except PostError:
            return text
        after = text[end:]
        return after[1:] if after.startswith("\n") else after
    first, _, rest = text.partition("\n")
    fence = first.rstrip()
    if fence not in _FENCES:
        if _HEADER_LINE.match(first):
            blank = re.search(r"^[ \t]*$", text, re.MULTILINE)
            return text[blank.end() + 1:] if blank else ""
        return text
    end = _CLOSERS[_CLOSING[fence]].search(rest)
    if end is None:
        return text
    after = rest[end.end():]
    return after[1:] if after.startswith("\n") else after
