"""Every endpoint kind is registered, declares its options and secrets, and has a valid template."""

from __future__ import annotations

import pytest
from endpoint_helpers import NOW, make_body, make_endpoint, make_post

from syndicator.crosspost.fitting import check_template
from syndicator.crosspost_settings import KINDS
from syndicator.endpoints import ENDPOINTS
from syndicator.endpoints.base import Endpoint

EXAMPLE_OPTIONS = {
    "mastodon": {"instance": "https://mastodon.example", "max_characters": 500},
    "bluesky": {"handle": "alice.test"},
    "micropub": {"endpoint": "https://mp.example/micropub"},
    "webhook": {"url": "https://hooks.example/in"},
    "discord": {},
    "slack": {},
}


def test_registry_is_explicit_and_complete() -> None:
    assert sorted(ENDPOINTS) == sorted(EXAMPLE_OPTIONS) == sorted(KINDS)
    for kind, cls in ENDPOINTS.items():
        assert issubclass(cls, Endpoint) and cls.kind == kind


@pytest.mark.parametrize("kind", sorted(EXAMPLE_OPTIONS))
def test_kind_declares_options_secrets_and_template(kind: str) -> None:
    cls, spec = ENDPOINTS[kind], KINDS[kind]
    assert spec.secret_names and all(n in ("token", "password", "secret", "url")
                                     for n in spec.secret_names)
    check_template(spec.default_template)
    assert cls.__doc__ and __import__(cls.__module__, fromlist=["x"]).__doc__
    for name in spec.secret_names:
        assert f"{name}_env" in __import__(cls.__module__, fromlist=["x"]).__doc__
    ep = make_endpoint(cls, "n", EXAMPLE_OPTIONS[kind], {n: "s3cret-value" for n in spec.secret_names})
    assert "s3cret-value" in ep.secret_values()
    assert isinstance(ep.new_key(now=NOW), str) and ep.new_key(now=NOW) != ep.new_key(now=NOW)


def test_chat_webhooks_do_not_resend_by_default() -> None:
    assert KINDS["discord"].resend_when_unsure is False
    assert KINDS["slack"].resend_when_unsure is False
    assert KINDS["micropub"].resend_when_unsure is False
    assert KINDS["mastodon"].resend_when_unsure is True
    ep = make_endpoint(ENDPOINTS["slack"], "n", {"resend_when_unsure": True}, {"url": "x"})
    assert ep.resend_when_unsure is True  # the table overrides the kind


@pytest.mark.parametrize("kind", ["micropub", "webhook", "discord", "slack"])
def test_render_needs_no_network(kind: str) -> None:
    cls, spec = ENDPOINTS[kind], KINDS[kind]
    ep = make_endpoint(cls, "n", EXAMPLE_OPTIONS[kind], {n: "x" for n in spec.secret_names})
    message = ep.render(make_post(), make_body(), template=spec.default_template)
    assert message.text and (message.limit is None or message.length <= message.limit)
