"""[crosspost] and [[endpoints]] -> checked, frozen settings (one `Target` per endpoint).

Secrets never live in config.toml: each secret an endpoint kind needs (its `secret_names`) is
given as `<name>_env = "VARIABLE"` (read from the environment) or as `<name> = "..."` in the
table named after the endpoint in [crosspost] `secrets_file`, a TOML file that must be readable
by its owner only (mode 0600). Every message names the key path, as config.py's do.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping

import requests

from ..config import Config, Field, suggest, take
from ..errors import ConfigError
from .fitting import check_template

DEFAULT_TEMPLATE = "{title}\n\n{summary}\n\n{url}"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

_CROSSPOST = {
    "ledger": Field("str"),
    "secrets_file": Field("str"),
    "template": Field("str"),
}
_COMMON = {
    "name": Field("str", required=True),
    "type": Field("str", required=True),
    "enabled": Field("bool", True),
    "template": Field("str"),
    "max_age": Field("duration", timedelta(days=7)),
    "min_age": Field("duration", timedelta(0)),
    "pace": Field("duration", timedelta(seconds=1)),  # least time between two sends
    "resend_when_unsure": Field("bool"),  # default: the kind's own (Endpoint.resend_when_unsure)
    "timeout": Field("float", 10.0),
}


@dataclass(frozen=True)
class Target:
    """One configured endpoint: the common settings, the kind's options and its secrets."""

    name: str
    kind: str
    cls: type
    enabled: bool
    template: str
    max_age: timedelta
    min_age: timedelta
    pace: timedelta
    resend_when_unsure: bool
    timeout: float
    options: Mapping[str, Any]
    secrets: Mapping[str, str] = field(repr=False)
    secret_env: Mapping[str, str] = field(default_factory=dict)  # secret name -> variable
    missing: tuple[str, ...] = ()  # secrets not found (only when not required)

    def build(self, session: requests.Session) -> Any:
        """The endpoint object for this target."""
        endpoint = self.cls(self.name, self.options, self.secrets, session, timeout=self.timeout)
        endpoint.secret_env = dict(self.secret_env)  # lets messages name the variable to fix
        return endpoint

    def credential(self) -> str:
        """Where this endpoint's secrets come from, in words, for a pause message."""
        names = list(getattr(self.cls, "secret_names", ()))
        where = [f"${self.secret_env[n]} ({n}_env)" if n in self.secret_env
                 else f"'{n}' in the secrets file table [{self.name}]" for n in names]
        return " and ".join(where) or "its credentials"


@dataclass(frozen=True)
class Settings:
    """The checked cross-posting configuration."""

    ledger: Path
    secrets_file: Path | None
    targets: tuple[Target, ...]

    def target(self, name: str) -> Target:
        """The target named `name`, or a ConfigError with a suggestion."""
        for t in self.targets:
            if t.name == name:
                return t
        known = [t.name for t in self.targets]
        raise ConfigError(f"no endpoint named '{name}'{suggest(name, known)}"
                          f" (configured: {', '.join(known) or 'none'})")

    def secret_values(self) -> tuple[str, ...]:
        """Every secret value, for redaction."""
        return tuple(v for t in self.targets for k, v in t.secrets.items()
                     if v and k not in t.missing and v != "unset-secret")


def ledger_path(config: Config) -> Path:
    """Where the ledger lives: [crosspost] ledger, default <state_dir>/ledger.sqlite."""
    raw = config.crosspost.get("ledger") if isinstance(config.crosspost, dict) else None
    return config.root / raw if isinstance(raw, str) and raw else config.state_dir / "ledger.sqlite"


def parse(config: Config, *, secrets: str = "required") -> Settings:
    """Check [crosspost] and every [[endpoints]] table.

    secrets: "required" (a missing one is a ConfigError naming the variable), "lenient" (a
    placeholder is used and the target lists it in `missing`, for dry runs) or "skip" (none
    read: status and retry need no credentials).
    """
    from ..endpoints import ENDPOINTS

    file = config.path.name
    top = take(config.crosspost, "[crosspost]", _CROSSPOST, file=file)
    secrets_file = config.root / top["secrets_file"] if top["secrets_file"] else None
    stored = _read_secrets_file(secrets_file, file) if secrets_file and secrets != "skip" else {}
    targets: list[Target] = []
    for index, table in enumerate(config.endpoints, 1):
        where = f"[[endpoints]] #{index}"
        if isinstance(table, dict) and isinstance(table.get("name"), str):
            where = f"[[endpoints]] '{table['name']}'"
        targets.append(_target(table, where, file, ENDPOINTS, top, stored, secrets))
    seen: set[str] = set()
    for t in targets:
        if t.name in seen:
            raise ConfigError(f"{file}: [[endpoints]] name '{t.name}' is used twice; names are "
                              "the ledger's key and must be unique")
        seen.add(t.name)
    return Settings(ledger=ledger_path(config), secrets_file=secrets_file, targets=tuple(targets))


def _target(table: Any, where: str, file: str, kinds: Mapping[str, type], top: dict[str, Any],
            stored: Mapping[str, Any], secrets: str) -> Target:
    """One [[endpoints]] table, checked, with its secrets."""
    kind, cls = _kind(table, where, file, kinds)
    names = tuple(getattr(cls, "secret_names", ()))
    for secret in names:
        if secret in table:
            raise ConfigError(f"{file}: {where} {secret}: secrets do not belong in the config "
                              f"file; write {secret}_env = \"VARIABLE\" and set that environment "
                              "variable, or use [crosspost] secrets_file")
    spec = {**_COMMON, **getattr(cls, "options", {}), **{f"{n}_env": Field("str") for n in names}}
    values = take(table, where, spec, file=file)
    name = values["name"]
    template = _check(values, top, cls, where, file)
    common = set(_COMMON) | {f"{n}_env" for n in names}
    options = {k: v for k, v in values.items() if k not in common}
    # A disabled endpoint never sends, so its secrets need not be set yet.
    mode = secrets if values["enabled"] or secrets == "skip" else "lenient"
    found, env, missing = _secrets(name, names, values, stored, where, file, mode)
    resend = values["resend_when_unsure"]
    if resend is None:
        resend = bool(getattr(cls, "resend_when_unsure", True))
    options["resend_when_unsure"] = resend  # the endpoint object is told too (Endpoint.__init__)
    return Target(
        name=name, kind=kind, cls=cls, enabled=values["enabled"], template=template,
        max_age=values["max_age"], min_age=values["min_age"], pace=values["pace"],
        resend_when_unsure=resend,
        timeout=float(values["timeout"]), options=options, secrets=found, secret_env=env,
        missing=missing,
    )


def _kind(table: Any, where: str, file: str, kinds: Mapping[str, type]) -> tuple[str, type]:
    """The table's `type` and the endpoint class it names."""
    if not isinstance(table, dict):
        raise ConfigError(f"{file}: {where} must be a table")
    kind = table.get("type")
    if not isinstance(kind, str):
        raise ConfigError(f"{file}: {where} type is required (one of: {', '.join(sorted(kinds))})")
    if kind not in kinds:
        raise ConfigError(f"{file}: {where} type '{kind}' is not a known endpoint kind"
                          f"{suggest(kind, kinds)} (known: {', '.join(sorted(kinds))})")
    return kind, kinds[kind]


def _check(values: dict[str, Any], top: dict[str, Any], cls: type, where: str, file: str) -> str:
    """Check the name, the template and the durations; return the template to use."""
    if not _NAME.match(values["name"]):
        raise ConfigError(f"{file}: {where} name must be letters, digits, '.', '_' or '-' "
                          f"(it is the ledger's key), not {values['name']!r}")
    template = values["template"] or top["template"] or getattr(cls, "default_template", "") \
        or DEFAULT_TEMPLATE
    check_template(template, where=f"{file}: {where} template")
    if values["min_age"] >= values["max_age"]:
        raise ConfigError(f"{file}: {where} min_age must be shorter than max_age")
    if values["pace"] < timedelta(0) or values["timeout"] <= 0:
        raise ConfigError(f"{file}: {where} pace must not be negative and timeout must be positive")
    return template


def _secrets(name: str, names: tuple[str, ...], values: dict[str, Any], stored: Mapping[str, Any],
             where: str, file: str, mode: str) -> tuple[dict[str, str], dict[str, str], tuple[str, ...]]:
    found: dict[str, str] = {}
    env: dict[str, str] = {}
    missing: list[str] = []
    table = stored.get(name, {})
    for secret in names:
        variable = values.get(f"{secret}_env")
        if variable:
            env[secret] = variable
        if mode == "skip":
            continue
        if variable:
            value = os.environ.get(variable)
            problem = f"environment variable {variable} (from {secret}_env) is not set or empty"
        else:
            value = table.get(secret) if isinstance(table, dict) else None
            problem = (f"{secret} is missing: give {secret}_env = \"VARIABLE\" or put {secret} "
                       f"in the [{name}] table of the secrets file")
        if isinstance(value, str) and value:
            found[secret] = value
        elif mode == "required":
            raise ConfigError(f"{file}: {where} {problem}")
        else:
            missing.append(variable or secret)
            found[secret] = "unset-secret"
    return found, env, tuple(missing)


def _read_secrets_file(path: Path, file: str) -> dict[str, Any]:
    """The secrets file, refused unless only its owner may read it."""
    try:
        info = path.stat()
    except OSError as exc:
        raise ConfigError(f"{file}: [crosspost] secrets_file {path}: {exc.strerror}") from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{file}: [crosspost] secrets_file {path} is readable by others "
                          f"(mode {stat.S_IMODE(info.st_mode):04o}); run: chmod 600 {path}")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise ConfigError(f"{file}: [crosspost] secrets_file {path} belongs to another user")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        # Never echo the file's content: the TOML error message may quote a secret.
        raise ConfigError(f"{file}: [crosspost] secrets_file {path} is not valid TOML "
                          f"({type(exc).__name__})") from None
    for key, value in data.items():
        if not isinstance(value, dict):
            raise ConfigError(f"{path.name}: '{key}' must be a table named after an endpoint, "
                              f"like [{key}] with token = \"...\"")
    return data
