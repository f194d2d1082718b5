"""Reading the endpoints' secret values, when a run needs them (never from config.toml).

Each secret an endpoint kind needs is given as `<name>_env = "VARIABLE"` (read from the
environment) or as `<name> = "..."` in the table named after the endpoint in [crosspost]
`secrets_file`, a TOML file that must be readable by its owner only (mode 0600).
"""

from __future__ import annotations

import enum
import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..crosspost_settings import CrosspostSettings, EndpointSettings
from ..errors import ConfigError

PLACEHOLDER = "unset-secret"


class SecretMode(enum.Enum):
    """How to treat a missing secret."""

    REQUIRED = "required"  # a ConfigError naming the variable
    LENIENT = "lenient"  # a placeholder, listed in `missing` (dry runs)


@dataclass(frozen=True)
class Credentials:
    """One endpoint's secret values (never shown by repr) and those not found."""

    values: Mapping[str, str] = field(repr=False, default_factory=dict)
    missing: tuple[str, ...] = ()

    def real_values(self) -> tuple[str, ...]:
        """The values that were found (placeholders excluded), for redaction."""
        return tuple(v for v in self.values.values() if v and v != PLACEHOLDER)


def read_credentials(settings: CrosspostSettings, endpoints: tuple[EndpointSettings, ...], *,
                     mode: SecretMode, file: str) -> dict[str, Credentials]:
    """endpoint name -> its credentials. A disabled endpoint never sends: lenient for it."""
    stored: dict[str, Any] = {}
    if settings.secrets_file is not None:
        stored = _read_secrets_file(settings.secrets_file, file)
    out = {}
    for e in endpoints:
        own = mode if e.enabled else SecretMode.LENIENT
        table = stored.get(e.name, {})
        out[e.name] = _credentials(e, table if isinstance(table, dict) else {}, own, file)
    return out


def _credentials(e: EndpointSettings, table: Mapping[str, Any], mode: SecretMode,
                 file: str) -> Credentials:
    found: dict[str, str] = {}
    missing: list[str] = []
    for secret in e.secret_names:
        variable = e.secret_env.get(secret)
        if variable:
            value = os.environ.get(variable)
            problem = f"environment variable {variable} (from {secret}_env) is not set or empty"
        else:
            value = table.get(secret)
            problem = (f"{secret} is missing: give {secret}_env = \"VARIABLE\" or put {secret} "
                       f"in the [{e.name}] table of the secrets file")
        if isinstance(value, str) and value:
            found[secret] = value
        elif mode is SecretMode.REQUIRED:
            raise ConfigError(f"{file}: [[endpoints]] '{e.name}' {problem}")
        else:
            missing.append(variable or secret)
            found[secret] = PLACEHOLDER
    return Credentials(values=found, missing=tuple(missing))


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
