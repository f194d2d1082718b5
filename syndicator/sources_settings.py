"""[[sources]] -> typed, frozen settings, parsed once when config.toml loads (beside
crosspost_settings.py): one `SourceSettings` per feed to cross-post from.

A source's `name` is its key in the ledger database, like an endpoint's; `endpoints` picks
which [[endpoints]] get its entries (default: every enabled one); `template`, `min_age` and
`max_age` override those endpoints' own for this source's entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from typing import Any

from .config import Field, suggest, take
from .crosspost_settings import CrosspostSettings, EndpointSettings
from .errors import ConfigError

MAX_BYTES = 10 * 1024 * 1024  # a feed larger than this is refused (max_bytes)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_SOURCE = {
    "name": Field("str", required=True),
    "url": Field("str", required=True),
    "every": Field("duration", timedelta(minutes=15)),
    "endpoints": Field("strlist"),
    "template": Field("str"),
    "min_age": Field("duration"),
    "max_age": Field("duration"),
    "enabled": Field("bool", True),
    "timeout": Field("float", 20.0),
    "max_bytes": Field("int", MAX_BYTES),
    "hold_over": Field("int", 5),  # more new entries than this in one poll are held
}


@dataclass(frozen=True)
class SourceSettings:
    """One checked [[sources]] table."""

    name: str
    url: str
    every: timedelta
    endpoints: tuple[str, ...] | None  # None: every enabled endpoint
    template: str | None
    min_age: timedelta | None
    max_age: timedelta | None
    enabled: bool
    timeout: float
    max_bytes: int
    hold_over: int

    def targets(self, settings: CrosspostSettings) -> tuple[EndpointSettings, ...]:
        """The enabled endpoints this source's entries go to, with its template and ages."""
        from dataclasses import replace

        chosen = [t for t in settings.enabled()
                  if self.endpoints is None or t.name in self.endpoints]
        out = []
        for t in chosen:
            changes = {k: v for k, v in (("template", self.template), ("min_age", self.min_age),
                                         ("max_age", self.max_age)) if v is not None}
            out.append(replace(t, **changes))
        return tuple(out)


def parse_sources(tables: Any, *, endpoints: tuple[str, ...], file: str) -> tuple[SourceSettings, ...]:
    """Check every [[sources]] table; `endpoints` (the configured names) checks references."""
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(f"{file}: sources must be written as [[sources]] tables")
    out: list[SourceSettings] = []
    for index, table in enumerate(tables, 1):
        where = f"[[sources]] #{index}"
        if isinstance(table, dict) and isinstance(table.get("name"), str):
            where = f"[[sources]] '{table['name']}'"
        out.append(_source(take(table, where, _SOURCE, file=file), where, file, endpoints))
    names = [s.name for s in out]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"{file}: [[sources]] name '{name}' is used twice; names are the "
                              "ledger's key and must be unique")
    return tuple(out)


def find(sources: tuple[SourceSettings, ...], name: str, *, file: str = "config.toml") -> SourceSettings:
    """The source named `name`, or a ConfigError with a suggestion."""
    for s in sources:
        if s.name == name:
            return s
    known = [s.name for s in sources]
    raise ConfigError(f"{file}: no source named '{name}'{suggest(name, known)} "
                      f"(configured: {', '.join(known) or 'none'})")


def _source(v: dict[str, Any], where: str, file: str, endpoints: tuple[str, ...]) -> SourceSettings:
    if not _NAME.match(v["name"]):
        raise ConfigError(f"{file}: {where} name must be letters, digits, '.', '_' or '-' "
                          f"(it is the ledger's key), not {v['name']!r}")
    if urlsplit(v["url"]).scheme not in ("http", "https"):
        raise ConfigError(f"{file}: {where} url must be an http:// or https:// address")
    if v["every"] < timedelta(minutes=1):
        raise ConfigError(f"{file}: {where} every must be at least 1m (be kind to the server)")
    if v["timeout"] <= 0 or v["max_bytes"] <= 0 or v["hold_over"] < 0:
        raise ConfigError(f"{file}: {where} timeout and max_bytes must be positive, "
                          "hold_over not negative")
    if v["min_age"] is not None and v["max_age"] is not None and v["min_age"] >= v["max_age"]:
        raise ConfigError(f"{file}: {where} min_age must be shorter than max_age")
    chosen = tuple(v["endpoints"]) if v["endpoints"] is not None else None
    for name in chosen or ():
        if name not in endpoints:
            raise ConfigError(f"{file}: {where} endpoints: no endpoint named '{name}'"
                              f"{suggest(name, endpoints)}")
    return SourceSettings(name=v["name"], url=v["url"], every=v["every"], endpoints=chosen,
                  template=v["template"], min_age=v["min_age"], max_age=v["max_age"],
                  enabled=v["enabled"], timeout=float(v["timeout"]), max_bytes=v["max_bytes"],
                  hold_over=v["hold_over"])
