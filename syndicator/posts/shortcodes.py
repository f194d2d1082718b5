"""The Hugo shortcodes and Liquid tags syndicator renders, each as a feed reader can show it.

Embeds (youtube, vimeo, tweet/x, instagram, gist) become plain links: feed readers drop
iframes and scripts, a link works in every one. Each function returns the replacement text,
or None when it does not know the tag (the caller removes it and warns).
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote, urljoin, urlsplit

from .slugs import slugify

_ARG = re.compile(r"""(?:([\w-]+)\s*=\s*)?("(?:[^"\\]|\\.)*"|'[^']*'|`[^`]*`|[^\s"'`]+)""")
_DATED = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
_CALL = re.compile(r"^([A-Za-z_]\w*)\((.*)\)$", re.DOTALL)
_STRING = re.compile(r"""^(?:"([^"]*)"|'([^']*)')$""")


@dataclass(frozen=True)
class Context:
    """What template code may refer to: the site's address and its permalink pattern."""

    site_url: str  # ends with "/"
    permalink: str  # syndicator pattern: {year} {month} {day} {slug}
    variables: tuple[tuple[str, str], ...] = ()  # other `{{ site.KEY }}` values ([posts] site_variables)

    @property
    def origin(self) -> str:
        """`{{ site.url }}`: scheme and host, no trailing slash."""
        parts = urlsplit(self.site_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def base(self) -> str:
        """`{{ site.baseurl }}`: the site's path, no trailing slash ("" at a domain's root)."""
        return urlsplit(self.site_url).path.rstrip("/")

    def post_url(self, ref: str) -> str | None:
        """The URL of the post a file name or path refers to, when the pattern allows."""
        ref, _, anchor = ref.strip().partition("#")
        folder, name = posixpath.split(ref.rstrip("/"))
        stem = posixpath.splitext(name)[0]
        if stem in ("index", "_index") and folder:
            stem = posixpath.basename(folder)
        dated = _DATED.match(stem)
        values = {"slug": slugify(dated.group(4) if dated else stem),
                  "folder": posixpath.dirname(folder) if stem != posixpath.splitext(name)[0] else folder}
        if dated:
            values.update(year=dated.group(1), month=dated.group(2), day=dated.group(3))
        try:
            path = re.sub("/{2,}", "/", self.permalink.format_map(values))
        except (KeyError, ValueError, IndexError):
            return None
        return urljoin(self.site_url, path) + (f"#{anchor}" if anchor else "")


def args(text: str) -> tuple[list[str], dict[str, str]]:
    """Positional and named arguments of a shortcode or tag, quotes removed."""
    positional: list[str] = []
    named: dict[str, str] = {}
    for m in _ARG.finditer(text):
        value = m.group(2)
        if value[:1] in "\"'`" and value[-1:] == value[:1] and len(value) > 1:
            value = value[1:-1].replace('\\"', '"')
        if m.group(1):
            named[m.group(1).lower()] = value
        else:
            positional.append(value)
    return positional, named


def code_block(lang: str, code: str) -> str:
    """A fenced code block (longer fence than any backtick run inside)."""
    longest = max((len(r) for r in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    code = code if code.endswith("\n") else code + "\n"
    return f"{fence}{lang}\n{code}{fence}\n"


def _link(url: str, text: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(text)}</a>'


def _pick(pos: list[str], named: dict[str, str], key: str, index: int = 0) -> str | None:
    return named.get(key) or (pos[index] if len(pos) > index else None)


def _youtube(pos: list[str], named: dict[str, str], ctx: Context) -> str | None:
    vid = _pick(pos, named, "id")
    return _link(f"https://www.youtube.com/watch?v={quote(vid)}", named.get("title") or "Video on YouTube") if vid else None


def _vimeo(pos: list[str], named: dict[str, str], ctx: Context) -> str | None:
    vid = _pick(pos, named, "id")
    return _link(f"https://vimeo.com/{quote(vid)}", named.get("title") or "Video on Vimeo") if vid else None


def _instagram(pos: list[str], named: dict[str, str], ctx: Context) -> str | None:
    pid = _pick(pos, named, "id")
    return _link(f"https://www.instagram.com/p/{quote(pid)}/", "Post on Instagram") if pid else None


def _tweet(host: str) -> Callable[[list[str], dict[str, str], Context], str | None]:
    def render(pos: list[str], named: dict[str, str], ctx: Context) -> str | None:
        tid = named.get("id") or (pos[-1] if pos else None)
        user = named.get("user") or (pos[0] if len(pos) > 1 else "i/web")
        if not tid:
            return None
        return _link(f"https://{host}/{quote(user)}/status/{quote(tid)}", f"Post by @{user}"
                     if user != "i/web" else f"Post on {host}")
    return render


def _gist(pos: list[str], named: dict[str, str], ctx: Context) -> str | None:
    if not pos:
        return None
    ident = pos[0] if "/" in pos[0] or len(pos) == 1 else f"{pos[0]}/{pos[1]}"
    rest = pos[1:] if "/" in pos[0] or len(pos) == 1 else pos[2:]
    anchor = f"#file-{slugify(rest[0]).replace('.', '-')}" if rest else ""
    return _link(f"https://gist.github.com/{ident}{anchor}", f"Gist {ident}" + (f" ({rest[0]})" if rest else ""))


def _figure(pos: list[str], named: dict[str, str], ctx: Context) -> str | None:
    src = named.get("src")
    if not src:
        return None
    alt = named.get("alt") or named.get("caption") or named.get("title") or ""
    img = f'<img src="{html.escape(src, quote=True)}" alt="{html.escape(alt, quote=True)}"'
    for size in ("width", "height"):
        if named.get(size, "").isdigit():
            img += f' {size}="{named[size]}"'
    img += " />"
    if named.get("link"):
        img = f'<a href="{html.escape(named["link"], quote=True)}">{img}</a>'
    caption = " ".join(html.escape(named[k]) for k in ("title", "caption", "attr") if named.get(k))
    return f"<figure>{img}" + (f"<figcaption>{caption}</figcaption>" if caption else "") + "</figure>"


def _ref(pos: list[str], named: dict[str, str], ctx: Context) -> str | None:
    target = _pick(pos, named, "path")
    return ctx.post_url(target) if target else None


EMBEDS: dict[str, Callable[[list[str], dict[str, str], Context], str | None]] = {
    "youtube": _youtube, "vimeo": _vimeo, "instagram": _instagram, "tweet": _tweet("twitter.com"),
    "twitter": _tweet("twitter.com"), "x": _tweet("x.com"), "gist": _gist, "figure": _figure,
    "ref": _ref, "relref": _ref, "twitter_simple": _tweet("twitter.com"), "vimeo_simple": _vimeo,
    "youtube_simple": _youtube, "instagram_simple": _instagram,
}


def hugo(body: str, ctx: Context) -> str | None:
    """A Hugo shortcode's replacement ("" for the closing tag of a paired one)."""
    name, rest = _split(body)
    if name.startswith("/"):
        return ""  # the opening tag was rendered or reported; the inner text stays
    render = EMBEDS.get(name.lower())
    return render(*args(rest), ctx) if render else None


def _split(body: str) -> tuple[str, str]:
    """A tag's name and the rest (a tag may wrap onto the next line)."""
    parts = body.split(None, 1)
    return (parts[0], parts[1] if len(parts) > 1 else "") if parts else ("", "")


def liquid_tag(body: str, ctx: Context) -> str | None:
    """A Liquid `{% tag %}`'s replacement."""
    name, rest = _split(body)
    name = name.lower()
    if name.startswith("end"):
        return ""
    if name == "post_url":
        return ctx.post_url(rest.strip())
    if name == "link":
        return _file_link(rest.strip(), ctx)
    render = EMBEDS.get(name) if name not in ("ref", "relref", "figure") else None
    return render(*args(rest), ctx) if render else None


def _file_link(path: str, ctx: Context) -> str | None:
    """`{% link %}`: a post's URL, or a page's address as Jekyll writes it by default."""
    path = path.strip("\"'")
    if path.startswith("_posts/"):
        return ctx.post_url(path)
    if not path or "{{" in path:
        return None
    stem, ext = posixpath.splitext(path.lstrip("/"))
    if posixpath.basename(stem) == "index":
        page = posixpath.dirname(stem) + "/" if posixpath.dirname(stem) else ""
    else:
        page = stem + (".html" if ext.lower() in (".md", ".markdown", ".html") else ext)
    return urljoin(ctx.site_url, page)


def zola_call(body: str, ctx: Context) -> str | None:
    """Zola's built-in shortcodes, called as functions: `{{ youtube(id="x", autoplay=true) }}`,
    vimeo, streamable, `gist(url="...", file="...")`."""
    call = _CALL.match(body.strip())
    if call is None or call.group(1).lower() not in ("youtube", "vimeo", "streamable", "gist"):
        return None
    name = call.group(1).lower()
    pos, named = args(call.group(2))
    pos = [p.strip(",") for p in pos if p.strip(",")]
    named = {key: value.rstrip(",") for key, value in named.items()}
    if name == "streamable":
        vid = _pick(pos, named, "id")
        return _link(f"https://streamable.com/{quote(vid)}", "Video on Streamable") if vid else None
    if name == "gist":
        url = named.get("url")
        if not url or not url.startswith("https://gist.github.com/"):
            return None
        anchor = f"#file-{slugify(named['file']).replace('.', '-')}" if named.get("file") else ""
        return _link(url + anchor, "Gist " + url.removeprefix("https://gist.github.com/"))
    return EMBEDS[name](pos, named, ctx)


def liquid_output(body: str, ctx: Context) -> str | None:
    """A Liquid `{{ value | filter }}`: site.url, site.baseurl and strings through the URL filters
    (and Zola's shortcodes, which are written the same way)."""
    if "(" in body:
        return zola_call(body, ctx)
    parts = [p.strip() for p in body.split("|")]
    value = _value(parts[0], ctx)
    for flt in parts[1:]:
        if value is None:
            return None
        name, _, arg = flt.partition(":")
        name, arg_value = name.strip(), _value(arg.strip(), ctx) if arg else None
        if name == "relative_url":
            value = ctx.base + "/" + value.lstrip("/")
        elif name == "absolute_url":
            value = ctx.origin + ctx.base + "/" + value.lstrip("/")
        elif name in ("prepend", "append") and arg_value is not None:
            value = arg_value + value if name == "prepend" else value + arg_value
        else:
            return None
    return value


def _value(expr: str, ctx: Context) -> str | None:
    if expr == "site.url":
        return ctx.origin
    if expr == "site.baseurl":
        return ctx.base
    if expr.startswith("site."):
        return dict(ctx.variables).get(expr[5:])
    found = _STRING.match(expr)
    return (found.group(1) if found.group(1) is not None else found.group(2)) if found else None
