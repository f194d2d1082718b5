"""[crosspost] and [[endpoints]] -> typed, frozen settings, parsed once when config.toml loads.

What each endpoint kind accepts (its options, the secrets it needs, its default template and
whether it resends when unsure) is declared here in KINDS, beside the config rules, because
config may not import the endpoints (the endpoint classes read their settings from here).
Secret *values* are never read here: a table names where each secret comes from
(`<name>_env = "VARIABLE"`, or the [crosspost] secrets_file); crosspost/secrets.py reads them
when a run needs them. Every message names the file and the key path, as config.py's do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from .config import Field, suggest, take
from .errors import ConfigError

DEFAULT_TEMPLATE = "{title}\n\n{summary}\n\n{url}"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class KindSpec:
    """What one endpoint kind accepts in its [[endpoints]] table."""

    options: Mapping[str, Field]
    secret_names: tuple[str, ...]
    resend_when_unsure: bool  # after an ambiguous outcome with no way to check
    default_template: str = DEFAULT_TEMPLATE
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # option -> allowed


_TAGGED = "{title}\n\n{summary}\n\n{hashtags}\n\n{url}"
KINDS: Mapping[str, KindSpec] = MappingProxyType({
    "mastodon": KindSpec(
        {"instance": Field("str", required=True), "visibility": Field("str", "public"),
         "language": Field("str"), "spoiler_text": Field("str"), "max_characters": Field("int")},
        ("token",), True, _TAGGED,
        {"visibility": ("public", "unlisted", "private", "direct")}),
    "bluesky": KindSpec(
        {"handle": Field("str", required=True), "service": Field("str", "https://bsky.social"),
         "app_url": Field("str", "https://bsky.app"), "language": Field("str"),
         "card": Field("bool", True)},
        ("password",), True, _TAGGED),
    "micropub": KindSpec(
        {"endpoint": Field("str", required=True), "format": Field("str", "form"),
         "title": Field("bool", True), "photo": Field("bool", True),
         "original_property": Field("str")},
        ("token",), False, "{summary}\n\n{url}", {"format": ("form", "json")}),
    "webhook": KindSpec(
        {"url": Field("str", required=True), "hub_signature": Field("bool", False)},
        ("secret",), True),
    "discord": KindSpec(
        {"username": Field("str"), "avatar_url": Field("str"), "embed": Field("bool", True)},
        ("url",), False, "{title} {url}"),
    "slack": KindSpec({}, ("url",), False, "*{title}*\n{summary}\n{url}"),
})

_CROSSPOST = {"ledger": Field("str"), "secrets_file": Field("str"), "template": Field("str")}
_COMMON = {
    "name": Field("str", required=True),
    "type": Field("str", required=True),
    "enabled": Field("bool", True),
    "template": Field("str"),
    "max_age": Field("duration", timedelta(days=7)),
    "min_age": Field("duration", timedelta(0)),
    "pace": Field("duration", timedelta(seconds=1)),  # least time between two sends
    "resend_when_unsure": Field("bool"),  # default: the kind's own
    "timeout": Field("float", 10.0),
}


@dataclass(frozen=True)
class EndpointSettings:
    """One [[endpoints]] table, checked: the common settings and the kind's own options."""

    name: str
    kind: str
    enabled: bool
    template: str
    max_age: timedelta
    min_age: timedelta
    pace: timedelta
    resend_when_unsure: bool
    timeout: float
    options: Mapping[str, Any]  # the kind's options (KINDS[kind].options), defaults filled in
    secret_names: tuple[str, ...]
    secret_env: Mapping[str, str] = field(default_factory=dict)  # secret name -> variable

    def credential_hint(self) -> str:
        """Where this endpoint's secrets come from, in words (for pause messages)."""
        where = [f"${self.secret_env[n]} ({n}_env)" if n in self.secret_env
                 else f"'{n}' in the secrets file table [{self.name}]" for n in self.secret_names]
        return " and ".join(where) or "its credentials"


@dataclass(frozen=True)
class CrosspostSettings:
    """[crosspost] and every [[endpoints]] table."""

    ledger: Path
    secrets_file: Path | None
    endpoints: tuple[EndpointSettings, ...] = ()

    def endpoint(self, name: str) -> EndpointSettings:
        """The endpoint named `name`, or a ConfigError with a suggestion."""
        for e in self.endpoints:
            if e.name == name:
                return e
        known = [e.name for e in self.endpoints]
        raise ConfigError(f"no endpoint named '{name}'{suggest(name, known)}"
                          f" (configured: {', '.join(known) or 'none'})")

    def enabled(self) -> tuple[EndpointSettings, ...]:
        """The endpoints that are not `enabled = false`."""
        return tuple(e for e in self.endpoints if e.enabled)


def parse_crosspost(crosspost: Any, endpoints: Any, *, root: Path, state_dir: Path,
                    file: str) -> CrosspostSettings:
    """Check [crosspost] and every [[endpoints]] table (names unique, kinds known, options typed)."""
    if not isinstance(endpoints, list) or not all(isinstance(e, dict) for e in endpoints):
        raise ConfigError(f"{file}: endpoints must be written as [[endpoints]] tables")
    top = take(crosspost, "[crosspost]", _CROSSPOST, file=file)
    parsed: list[EndpointSettings] = []
    for index, table in enumerate(endpoints, 1):
        where = f"[[endpoints]] #{index}"
        if isinstance(table.get("name"), str):
            where = f"[[endpoints]] '{table['name']}'"
        parsed.append(parse_endpoint(table, where=where, file=file, template=top["template"]))
    seen: set[str] = set()
    for e in parsed:
        if e.name in seen:
            raise ConfigError(f"{file}: [[endpoints]] name '{e.name}' is used twice; names are "
                              "the ledger's key and must be unique")
        seen.add(e.name)
    ledger = root / top["ledger"] if top["ledger"] else state_dir / "ledger.sqlite"
    secrets_file = root / top["secrets_file"] if top["secrets_file"] else None
    return CrosspostSettings(ledger=ledger, secrets_file=secrets_file, endpoints=tuple(parsed))


def parse_endpoint(table: dict[str, Any], *, where: str, file: str,
                   template: str | None = None) -> EndpointSettings:
    """One [[endpoints]] table (`template`: the [crosspost] default, if any)."""
    kind, spec = _kind(table, where, file)
    for secret in spec.secret_names:
        if secret in table:
            raise ConfigError(f"{file}: {where} {secret}: secrets do not belong in the config "
                              f"file; write {secret}_env = \"VARIABLE\" and set that environment "
                              "variable, or use [crosspost] secrets_file")
    env_keys = {f"{n}_env": Field("str") for n in spec.secret_names}
    values = take(table, where, {**_COMMON, **spec.options, **env_keys}, file=file)
    _check(values, spec, where, file)
    resend = values["resend_when_unsure"]
    return EndpointSettings(
        name=values["name"], kind=kind, enabled=values["enabled"],
        template=values["template"] or template or spec.default_template,
        max_age=values["max_age"], min_age=values["min_age"], pace=values["pace"],
        resend_when_unsure=spec.resend_when_unsure if resend is None else resend,
        timeout=float(values["timeout"]),
        options=MappingProxyType({k: values[k] for k in spec.options}),
        secret_names=spec.secret_names,
        secret_env=MappingProxyType({n: values[f"{n}_env"] for n in spec.secret_names
                                     if values[f"{n}_env"]}),
    )


def _kind(table: dict[str, Any], where: str, file: str) -> tuple[str, KindSpec]:
    """The table's `type` and what that kind accepts."""
    kind = table.get("type")
    known = ", ".join(sorted(KINDS))
    if not isinstance(kind, str):
        raise ConfigError(f"{file}: {where} type is required (one of: {known})")
    if kind not in KINDS:
        raise ConfigError(f"{file}: {where} type '{kind}' is not a known endpoint kind"
                          f"{suggest(kind, KINDS)} (known: {known})")
    return kind, KINDS[kind]


def _check(values: dict[str, Any], spec: KindSpec, where: str, file: str) -> None:
    """The name, the allowed option values and the durations."""
    if not _NAME.match(values["name"]):
        raise ConfigError(f"{file}: {where} name must be letters, digits, '.', '_' or '-' "
                          f"(it is the ledger's key), not {values['name']!r}")
    for key, allowed in spec.choices.items():
        if values[key] is not None and values[key] not in allowed:
            raise ConfigError(f"{file}: {where} {key} must be one of {', '.join(allowed)}, "
                              f"not {values[key]!r}")
    if values["min_age"] >= values["max_age"]:
        raise ConfigError(f"{file}: {where} min_age must be shorter than max_age")
    if values["pace"] < timedelta(0) or values["timeout"] <= 0:
        raise ConfigError(f"{file}: {where} pace must not be negative and timeout must be positive")
