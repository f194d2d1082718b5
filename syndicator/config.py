"""config.toml -> frozen dataclasses. Every error names the file and the key path.

Core sections ([site], [authors.*], [feeds], [server], [daemon]) are checked here; the
cross-posting sections ([crosspost], [[endpoints]]) by crosspost_settings.py with the same
`take()` helper, so one set of rules and messages serves both. Every section is parsed once,
when the file loads, into typed settings on `Config`.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .digests import sha256
from .errors import ConfigError
from .feed_paths import FeedPaths, parse_paths
from .model import Author

if TYPE_CHECKING:
    from .crosspost_settings import CrosspostSettings
    from .sources_settings import SourceSettings

FEED_FORMATS = ("rss", "atom", "json")
TOP_LEVEL = ("site", "authors", "feeds", "server", "daemon", "limits", "posts", "crosspost", "endpoints",
             "sources")
ENGINES = ("", "hugo", "jekyll", "zola", "eleventy", "astro", "pelican")


@dataclass(frozen=True)
class Field:
    """One allowed key: its type check, default and whether it is required."""

    kind: str  # "str", "int", "bool", "float", "strlist", "table", "duration", "any"
    default: Any = None
    required: bool = False


_KIND_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "str": (lambda v: isinstance(v, str), "a string"),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer"),
    "float": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), "a number"),
    "bool": (lambda v: isinstance(v, bool), "true or false"),
    "strlist": (lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
                "a list of strings"),
    "table": (lambda v: isinstance(v, dict), "a table"),
    "duration": (lambda v: isinstance(v, (int, str)) and not isinstance(v, bool),
                 'a duration like "15m", "2h", "7d" or a number of seconds'),
    "any": (lambda v: True, "anything"),
}


def take(table: Any, where: str, spec: dict[str, Field], *, file: str = "config.toml") -> dict[str, Any]:
    """Check `table` against `spec`: types, required keys, unknown keys (with a suggestion).

    `where` is the key path used in messages, e.g. "[authors.james]".
    """
    if not isinstance(table, dict):
        raise ConfigError(f"{file}: {where} must be a table")
    for key in table:
        if key not in spec:
            raise ConfigError(f"{file}: {where} unknown key '{key}'{suggest(key, spec)}")
    out: dict[str, Any] = {}
    for key, fld in spec.items():
        if key not in table:
            if fld.required:
                raise ConfigError(f"{file}: {where} {key} is required")
            out[key] = fld.default
            continue
        check, what = _KIND_CHECKS[fld.kind]
        value = table[key]
        if not check(value):
            raise ConfigError(f"{file}: {where} {key} must be {what}")
        if fld.kind == "duration":
            value = parse_duration(value, f"{file}: {where} {key}")
        out[key] = value
    return out


def suggest(key: str, known: Any) -> str:
    """ " (did you mean 'x'?)" for the nearest known key, or "" when nothing is close."""
    return _suggest(key, tuple(known))


@functools.lru_cache(maxsize=4096)
def _suggest(key: str, known: tuple[str, ...]) -> str:
    # Once per distinct (key, vocabulary): 10,000 posts repeat the same few unknown keys (issue 12).
    import difflib  # only when something is misspelt: a command's start-up does without it

    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)?\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, None: 1}


def parse_duration(value: int | str, where: str) -> timedelta:
    """ "15m" / "2h" / "7d" / 90 -> timedelta."""
    if isinstance(value, int):
        return timedelta(seconds=value)
    match = _DURATION.match(value)
    if not match:
        raise ConfigError(f'{where} must be a duration like "15m", "2h" or "7d", not {value!r}')
    return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])


@dataclass(frozen=True)
class Site:
    """[site]: the publication as a whole."""

    title: str
    url: str  # always ends with "/"
    description: str
    language: str
    timezone: ZoneInfo
    tag_authority: str
    copyright: str | None
    license: str | None
    icon: str | None  # absolute URL
    logo: str | None  # absolute URL
    owner: str | None  # author key
    permalink: str  # pattern: {year} {month} {day} {slug}, {folder} (below the posts folder)
    id_rule: str = "tag"  # entry ids without a pinned or written one (posts/ids.py)

    def absolute(self, url: str) -> str:
        """Resolve a site-relative URL against the site's address."""
        return urljoin(self.url, url)


@dataclass(frozen=True)
class Feeds:
    """[feeds]: where and what to write."""

    output: Path
    url: str  # public URL of the output directory, ends with "/"
    formats: tuple[str, ...]
    items: int
    summary_only: bool
    per_tag: bool
    per_category: bool
    per_author: bool
    hubs: tuple[str, ...]  # WebSub hubs advertised with rel="hub"
    paths: FeedPaths = FeedPaths()  # [feeds.paths]: every output file's path under `output`


@dataclass(frozen=True)
class Server:
    """[server]: where `serve` listens, and what one client and all of them may hold."""

    host: str
    port: int
    header_timeout: float = 10.0  # seconds to wait for a request's line and headers, idle included
    timeout: float = 10.0  # seconds of silence in any one read or write
    max_connections: int = 512
    max_per_client: int = 32  # connections from one address (IPv6: one /64)
    health_token_env: str = ""  # variable holding a token that shows /healthz in full


@dataclass(frozen=True)
class DaemonSettings:
    """[daemon]: how `run` schedules its work."""

    crosspost_every: timedelta
    crosspost_at: tuple[str, ...]  # times of day "HH:MM"
    serve: bool
    debounce: float  # seconds


@dataclass(frozen=True)
class Reading:
    """[posts]: how to read front matter written for another engine (`init --from` fills it)."""

    engine: str = ""  # "", "hugo", "jekyll", "zola", "eleventy", "astro" or "pelican"
    taxonomies: tuple[tuple[str, str], ...] = ()  # (front matter key, "tags" or "categories")
    excerpt_separator: str = ""  # Jekyll's: the summary is the text before it
    site_variables: tuple[tuple[str, str], ...] = ()  # Jekyll's `{{ site.KEY }}` values (posts/templates.py)
    ignore: tuple[str, ...] = ()  # Zola's ignored_content: globs of post files that are not pages
    cascade: tuple[dict[str, Any], ...] = ()  # Hugo's site config `cascade` (posts/cascade.py)
    exclude: tuple[str, ...] = ()  # folders below the posts folder that hold no posts (Pelican's pages/)
    folder_category: bool = False  # Pelican: a post with no category is in its folder's
    default_category: str = ""  # Pelican: ... and in this one when it has no folder
    lang_permalink: str = ""  # Pelican: a post in another language than [site]'s has this address
    markdown_title: bool = False  # Pelican's FORMATTED_FIELDS has "title": titles are Markdown


@dataclass(frozen=True)
class Limits:
    """[limits]: what one post may cost; a post over a limit is a `path:line` problem and skipped."""

    max_post_bytes: int = 10 * 1024 * 1024  # the whole file; checked before it is read
    max_tags: int = 200  # tags plus categories of one post
    max_front_matter_bytes: int = 1024 * 1024
    max_nesting: int = 50  # lists and tables inside each other in the front matter


@dataclass(frozen=True)
class Config:
    """The whole configuration; `path` is the config file, relative paths resolve beside it."""

    path: Path
    site: Site
    authors: dict[str, Author]
    feeds: Feeds
    posts_dir: Path
    state_dir: Path
    server: Server
    daemon: DaemonSettings
    crosspost: CrosspostSettings  # [crosspost] and every [[endpoints]] table, typed
    fingerprint: str  # hash of the config file's bytes; invalidates caches
    reading: Reading = Reading()
    limits: Limits = Limits()
    pinned_ids: dict[str, str] = field(default_factory=dict)  # link key -> id ([site] ids_file)
    sources: tuple[SourceSettings, ...] = ()  # [[sources]] feeds to cross-post from, typed

    @property
    def root(self) -> Path:
        """The directory holding the config file."""
        return self.path.parent

    def author(self, key: str) -> Author | None:
        """The configured author with this key."""
        return self.authors.get(key)


_SITE = {
    "title": Field("str", required=True),
    "url": Field("str", required=True),
    "description": Field("str", ""),
    "language": Field("str", "en"),
    "timezone": Field("str", "UTC"),
    "tag_authority": Field("str"),
    "copyright": Field("str"),
    "license": Field("str"),
    "icon": Field("str"),
    "logo": Field("str"),
    "author": Field("str"),
    "permalink": Field("str", "/{year}/{month}/{slug}/"),
    "posts": Field("str", "posts"),
    "state_dir": Field("str", ".syndicator"),
    "ids": Field("str", "tag"),
    "ids_file": Field("str"),
}
_AUTHOR = {
    "name": Field("str", required=True),
    "url": Field("str"),
    "email": Field("str"),
    "avatar": Field("str"),
    "bio": Field("str"),
}
_FEEDS = {
    "output": Field("str", "feeds"),
    "url": Field("str"),
    "formats": Field("strlist", list(FEED_FORMATS)),
    "items": Field("int", 20),
    "summary_only": Field("bool", False),
    "per_tag": Field("bool", True),
    "per_category": Field("bool", True),
    "per_author": Field("bool", True),
    "hubs": Field("strlist", []),
    "paths": Field("table", {}),
}
_READING = {
    "engine": Field("str", ""),
    "taxonomies": Field("table", {}),
    "excerpt_separator": Field("str", ""),
    "site_variables": Field("table", {}),
    "ignore": Field("strlist", []),
    "cascade": Field("any", []),
    "exclude": Field("strlist", []),
    "folder_category": Field("bool", False),
    "default_category": Field("str", ""),
    "lang_permalink": Field("str", ""),
    "markdown_title": Field("bool", False),
}
_LIMITS = {
    "max_post_bytes": Field("int", Limits.max_post_bytes),
    "max_tags": Field("int", Limits.max_tags),
    "max_front_matter_bytes": Field("int", Limits.max_front_matter_bytes),
    "max_nesting": Field("int", Limits.max_nesting),
}
_SERVER = {"host": Field("str", "127.0.0.1"), "port": Field("int", 8080),
           "header_timeout": Field("float", Server.header_timeout), "timeout": Field("float", Server.timeout),
           "max_connections": Field("int", Server.max_connections),
           "max_per_client": Field("int", Server.max_per_client),
           "health_token_env": Field("str", Server.health_token_env)}
_DAEMON = {
    "crosspost_every": Field("duration", timedelta(minutes=15)),
    "crosspost_at": Field("strlist", []),
    "serve": Field("bool", False),
    "debounce": Field("float", 0.5),
}


def load(path: str | Path) -> Config:
    """Read and check config.toml; raises ConfigError naming the file and key path."""
    import tomllib  # here: a build that has its config already (build/config_snapshot.py) does without it

    path = Path(path).resolve()
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config ({exc.strerror})") from None
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: invalid TOML: {exc}") from None
    for key in raw:
        if key not in TOP_LEVEL:
            raise ConfigError(f"{name}: unknown section [{key}]{suggest(key, TOP_LEVEL)}")
    if "site" not in raw:
        raise ConfigError(f"{name}: [site] is required (title and url at least)")
    root = path.parent
    site_raw = take(raw["site"], "[site]", _SITE, file=name)
    site = _site(site_raw, name)
    authors = _authors(raw.get("authors", {}), site, name)
    if site.owner is not None and site.owner not in authors:
        raise ConfigError(f"{name}: [site] author '{site.owner}' is not in [authors]"
                          f"{suggest(site.owner, authors)}")
    feeds = _feeds(take(raw.get("feeds", {}), "[feeds]", _FEEDS, file=name), site, root, name)
    server = parse_server(raw.get("server", {}), name)
    daemon_raw = take(raw.get("daemon", {}), "[daemon]", _DAEMON, file=name)
    for at in daemon_raw["crosspost_at"]:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", at):
            raise ConfigError(f'{name}: [daemon] crosspost_at entries must be "HH:MM", not {at!r}')
    daemon_raw["crosspost_at"] = tuple(daemon_raw["crosspost_at"])
    from .crosspost_settings import parse_crosspost  # local: it imports Field and take from here

    state_dir = root / site_raw["state_dir"]
    crosspost = parse_crosspost(raw.get("crosspost", {}), raw.get("endpoints", []), root=root,
                                state_dir=state_dir, file=name)
    from .sources_settings import parse_sources  # local, as parse_crosspost

    sources = parse_sources(raw.get("sources", []), file=name,
                            endpoints=tuple(e.name for e in crosspost.endpoints))
    pinned, pinned_bytes = _pinned(site_raw["ids_file"], root, name)
    reading = _reading(raw.get("posts", {}), name)
    _check_permalink_tokens(name, site.permalink, reading.engine)
    if reading.engine == "hugo":  # the cascades of sections above the posts folder (posts/cascade.py)
        pinned_bytes += _index_files_above(root, root / site_raw["posts"])
    return Config(
        path=path, site=site, authors=authors, feeds=feeds,
        posts_dir=root / site_raw["posts"], state_dir=state_dir,
        server=server, daemon=DaemonSettings(**daemon_raw), crosspost=crosspost,
        fingerprint=sha256(data + pinned_bytes).hexdigest(),
        limits=parse_limits(raw.get("limits", {}), name), pinned_ids=pinned,
        reading=reading, sources=sources,
    )


def _index_files_above(root: Path, posts_dir: Path) -> bytes:
    """The bytes of every section `_index.md` between the site root and the posts folder: what
    they cascade to the posts is part of the config, so the build cache starts over when they change."""
    found = b""
    folder = posts_dir.parent
    while folder != root and root in folder.parents:
        for index in sorted(folder.glob("_index.*")):
            try:
                found += index.read_bytes()
            except OSError:
                pass
        folder = folder.parent
    return found


def _pinned(ids_file: str | None, root: Path, name: str) -> tuple[dict[str, str], bytes]:
    """[site] ids_file: the pinned entry ids and the file's bytes (for the fingerprint)."""
    if not ids_file:
        return {}, b""
    from .posts.ids import load_pinned

    path = root / ids_file
    pinned = load_pinned(path, file=name)
    return pinned, b"\0" + path.read_bytes()


def find_config(cwd: Path) -> Path:
    """The config a command uses without --config: ./syndicator.toml, else ./config.toml when it
    has a [site] table (other engines call their own config config.toml)."""
    import tomllib

    own = cwd / "syndicator.toml"
    if own.is_file():
        return own
    shared = cwd / "config.toml"
    try:
        if "site" in tomllib.loads(shared.read_text(encoding="utf-8")):
            return shared
    except FileNotFoundError:
        raise ConfigError(f"no syndicator.toml or config.toml in {cwd} (pass --config PATH, or "
                          "run `syndicator init --from .` to write one)") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return shared  # load() reports what is wrong with it
    raise ConfigError(f"{shared} has no [site] table, so it is not syndicator's config (another "
                      "engine's?): pass --config PATH, or run `syndicator init --from .`")


def _reading(raw: Any, name: str) -> Reading:
    values = take(raw, "[posts]", _READING, file=name)
    if values["engine"] not in ENGINES:
        raise ConfigError(f"{name}: [posts] engine {values['engine']!r} is not one of "
                          f"{', '.join(repr(e) for e in ENGINES[1:])}{suggest(values['engine'], ENGINES)}")
    pairs = []
    for key, target in sorted(values["taxonomies"].items()):
        if target not in ("tags", "categories"):
            raise ConfigError(f'{name}: [posts] taxonomies.{key} must be "tags" or "categories", not {target!r}')
        pairs.append((key, target))
    variables = values["site_variables"]
    if not all(isinstance(v, str) for v in variables.values()):
        raise ConfigError(f"{name}: [posts] site_variables must map names to text")
    cascade = values["cascade"]
    cascade = [cascade] if isinstance(cascade, dict) else cascade
    if not isinstance(cascade, list) or not all(isinstance(c, dict) for c in cascade):
        raise ConfigError(f"{name}: [posts] cascade must be a table or a list of tables (Hugo's `cascade`)")
    return Reading(engine=values["engine"], taxonomies=tuple(pairs), excerpt_separator=values["excerpt_separator"],
                   site_variables=tuple(sorted(variables.items())), exclude=_folders(values["exclude"]),
                   folder_category=values["folder_category"], default_category=values["default_category"],
                   lang_permalink=values["lang_permalink"], markdown_title=values["markdown_title"],
                   ignore=tuple(values["ignore"]), cascade=tuple(cascade))


def _folders(names: list[str]) -> tuple[str, ...]:
    """[posts] exclude: folder paths below the posts folder, "/"-separated, without end slashes."""
    return tuple(sorted({n.strip().strip("/") for n in names if n.strip().strip("/")}))


def parse_server(raw: Any, name: str) -> Server:
    """[server] -> Server; timeouts above 0 seconds, connection limits at least 1."""
    values = take(raw, "[server]", _SERVER, file=name)
    for key in ("header_timeout", "timeout", "max_connections", "max_per_client"):
        if values[key] <= 0:
            raise ConfigError(f"{name}: [server] {key} must be above 0, not {values[key]}")
    return Server(**values)


def parse_limits(raw: Any, name: str) -> Limits:
    """[limits] -> Limits; every limit is a whole number of at least 1."""
    values = take(raw, "[limits]", _LIMITS, file=name)
    for key, value in values.items():
        if value < 1:
            raise ConfigError(f"{name}: [limits] {key} must be at least 1")
    return Limits(**values)


def _site(raw: dict[str, Any], name: str) -> Site:
    url = raw["url"]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name}: [site] url must be an absolute http(s) URL, not {url!r}")
    if not url.endswith("/"):
        url += "/"
    try:
        tz = ZoneInfo(raw["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name}: [site] timezone {raw['timezone']!r} is not a known time zone "
                          "(use a name like 'Europe/Berlin' or 'UTC')") from None
    if "{slug}" not in raw["permalink"]:
        raise ConfigError(f"{name}: [site] permalink must contain {{slug}}")
    return Site(
        title=raw["title"], url=url, description=raw["description"], language=raw["language"],
        timezone=tz, tag_authority=raw["tag_authority"] or parts.hostname or "localhost",
        copyright=raw["copyright"], license=raw["license"],
        icon=urljoin(url, raw["icon"]) if raw["icon"] else None,
        logo=urljoin(url, raw["logo"]) if raw["logo"] else None,
        owner=raw["author"], permalink=raw["permalink"], id_rule=_id_rule(raw["ids"], name),
    )


PERMALINK_TOKENS = ("year", "month", "day", "slug", "folder")
PELICAN_TOKENS = ("category", "author", "lang")  # filled by posts/pelican_rules.py


def _check_permalink_tokens(name: str, pattern: str, engine: str) -> None:
    """Every {token} of [site] permalink is one the reader fills (for this engine)."""
    known = PERMALINK_TOKENS + (PELICAN_TOKENS if engine == "pelican" else ())
    try:
        tokens = [field for _text, field, _spec, _conv in string.Formatter().parse(pattern) if field is not None]
    except ValueError as exc:
        raise ConfigError(f"{name}: [site] permalink {pattern!r}: {exc}") from None
    for token in tokens:
        if token not in known:
            raise ConfigError(f"{name}: [site] permalink: unknown part {{{token}}}{suggest(token, known)}"
                              f" (known: {', '.join('{' + t + '}' for t in known)})")


def _id_rule(rule: str, name: str) -> str:
    from .posts.ids import RULES

    if rule not in RULES:
        raise ConfigError(f"{name}: [site] ids must be one of {', '.join(RULES)}, not {rule!r}"
                          f"{suggest(rule, RULES)}")
    return rule


def _authors(raw: Any, site: Site, name: str) -> dict[str, Author]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{name}: [authors] must hold tables like [authors.jane]")
    from .posts.html_text import render_bio  # local: it imports nothing from config (nor the template engines)

    authors = {}
    for key, table in sorted(raw.items()):
        a = take(table, f"[authors.{key}]", _AUTHOR, file=name)
        bio_html, bio_text = render_bio(a["bio"], site.url) if a["bio"] else (None, None)
        authors[key] = Author(
            key=key, name=a["name"], url=urljoin(site.url, a["url"]) if a["url"] else None,
            email=a["email"], avatar=urljoin(site.url, a["avatar"]) if a["avatar"] else None,
            bio=a["bio"], bio_html=bio_html, bio_text=bio_text,
        )
    return authors


def _feeds(raw: dict[str, Any], site: Site, root: Path, name: str) -> Feeds:
    for fmt in raw["formats"]:
        if fmt not in FEED_FORMATS:
            raise ConfigError(f"{name}: [feeds] formats: unknown format '{fmt}'{suggest(fmt, FEED_FORMATS)}"
                              f" (known: {', '.join(FEED_FORMATS)})")
    if raw["items"] < 1:
        raise ConfigError(f"{name}: [feeds] items must be at least 1")
    url = raw["url"] or urljoin(site.url, raw["output"].strip("/") + "/")
    url = urljoin(site.url, url)
    if not url.endswith("/"):
        url += "/"
    formats = tuple(f for f in FEED_FORMATS if f in raw["formats"])
    kinds = tuple(k for k, on in (("tag", raw["per_tag"]), ("category", raw["per_category"]),
                                  ("author", raw["per_author"])) if on)
    return Feeds(
        output=root / raw["output"], url=url,
        formats=formats, items=raw["items"],
        summary_only=raw["summary_only"], per_tag=raw["per_tag"],
        per_category=raw["per_category"], per_author=raw["per_author"], hubs=tuple(raw["hubs"]),
        paths=parse_paths(raw["paths"], formats=formats, kinds=kinds, file=name),
    )

