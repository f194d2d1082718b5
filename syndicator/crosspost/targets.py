"""Configured endpoints -> endpoint objects: pick the ones a run uses, read their secrets, build
them (building checks the template and the secrets' form; it sends nothing)."""

from __future__ import annotations

import requests

from .. import endpoints as endpoint_kinds
from ..config import Config
from ..crosspost_settings import EndpointSettings
from ..endpoints.base import Endpoint
from ..errors import ConfigError
from .fitting import check_template
from .secrets import Credentials, SecretMode, read_credentials


def select(config: Config, name: str | None) -> tuple[EndpointSettings, ...]:
    """Every enabled endpoint, or the one named (a ConfigError if it is disabled or unknown)."""
    settings = config.crosspost
    if name is None:
        return settings.enabled()
    chosen = settings.endpoint(name)
    if not chosen.enabled:
        raise ConfigError(f"endpoint '{name}' is disabled (enabled = false in its [[endpoints]] table)")
    return (chosen,)


def build_endpoints(config: Config, chosen: tuple[EndpointSettings, ...], *, mode: SecretMode,
                    session: requests.Session) -> list[tuple[Endpoint, Credentials]]:
    """The endpoint objects for `chosen`, each with the credentials it was built with."""
    credentials = read_credentials(config.crosspost, chosen, mode=mode, file=config.path.name)
    return [(build(e, credentials[e.name], session, file=config.path.name), credentials[e.name])
            for e in chosen]


def build(settings: EndpointSettings, credentials: Credentials, session: requests.Session, *,
          file: str = "config.toml") -> Endpoint:
    """One endpoint object; its template and secrets are checked here, before any traffic."""
    check_template(settings.template, where=f"{file}: [[endpoints]] '{settings.name}' template")
    cls = endpoint_kinds.ENDPOINTS[settings.kind]
    return cls(settings, credentials.values, session)
