"""No secret from the config reaches the logs, the ledger, `status` or error messages, even when
deliveries fail with messages that would contain them (a chat webhook URL *is* the credential).
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from crosspost_helpers import NOW, FakeClock, FakeEndpoint, fake, fake_kinds, make_config, make_post, write_config  # noqa: F401
from fakes import FakeBluesky, FakeDiscord, FakeMastodon, FakeSlack, FakeWebhook

from syndicator import crosspost, redact
from syndicator.cli import main
from syndicator.errors import PermanentError, TransientError
from syndicator.model import Post


def _ledger_bytes(state_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(state_dir.iterdir()) if p.is_file())


def _assert_clean(secrets: list[str], *texts: str | bytes) -> None:
    for text in texts:
        blob = text if isinstance(text, bytes) else text.encode("utf-8")
        for secret in secrets:
            assert secret.encode("utf-8") not in blob, f"secret {secret[:6]}… leaked"


class _Collect(logging.Handler):
    """Every formatted line, with no filter of its own."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _post(n: int, now: datetime) -> Post:
    return make_post(n, now=now, age=timedelta(minutes=n))


def test_failures_with_secret_urls_leave_no_trace(tmp_path: Path, caplog, monkeypatch) -> None:
    with FakeMastodon() as masto, FakeBluesky() as bsky, FakeWebhook() as hook, \
            FakeDiscord() as discord, FakeSlack() as slack:
        secrets = [masto.token, bsky.password, hook.secret, discord.url, discord.token, slack.url]
        monkeypatch.setenv("MASTO_TOKEN", masto.token)
        monkeypatch.setenv("BSKY_PASSWORD", bsky.password)
        monkeypatch.setenv("HOOK_SECRET", hook.secret)
        monkeypatch.setenv("DISCORD_URL", discord.url)
        monkeypatch.setenv("SLACK_URL", slack.url)
        config = make_config(tmp_path, endpoints=[
            {"name": "masto", "type": "mastodon", "instance": masto.url, "token_env": "MASTO_TOKEN",
             "pace": "0s"},
            {"name": "bsky", "type": "bluesky", "handle": bsky.handle, "service": bsky.url,
             "password_env": "BSKY_PASSWORD", "pace": "0s", "card": False},
            {"name": "hook", "type": "webhook", "url": hook.url, "secret_env": "HOOK_SECRET",
             "pace": "0s"},
            {"name": "discord", "type": "discord", "url_env": "DISCORD_URL", "pace": "0s"},
            {"name": "slack", "type": "slack", "url_env": "SLACK_URL", "pace": "0s"},
        ])
        now = datetime.now(timezone.utc)
        clock = FakeClock()
        caplog.set_level(logging.DEBUG)  # urllib3 logs request paths at DEBUG
        caplog.set_level(logging.DEBUG, logger="urllib3")
        caplog.handler.addFilter(redact.RedactingFilter())  # as the CLI's handler has
        own = _Collect()  # syndicator's own lines, unfiltered: redacted where they are made
        logging.getLogger("syndicator").addHandler(own)
        crosspost.run(config, [], now=now, sleep=clock.sleep, clock=clock)
        posts = [_post(1, now), _post(2, now), _post(3, now)]
        # A rate limit, a server error, a rejected token, a gone webhook, a deleted webhook.
        statuses = lambda r: r.path == "/api/v1/statuses"  # noqa: E731
        masto.fail_next(1, status=429, headers={"Retry-After": "1"}, match=statuses)
        masto.fail_next(1, status=401, body={"error": "The access token is invalid"},
                        match=statuses)
        bsky.fail_next(2, status=502)
        hook.fail_next(1, status=400, body=f"bad request to {hook.url}")
        discord.deleted = True
        slack.fail_next(1, status=500, body=f"internal error for {slack.url}")
        report = crosspost.run(config, posts, now=now + timedelta(minutes=1), sleep=clock.sleep,
                               clock=clock)
        discord.deleted = False
        masto.stop()  # connection refused: requests' message would carry the full URL
        discord.stop()
        later = now + timedelta(days=1)
        crosspost.retry(config, now=later)
        crosspost.run(config, posts + [_post(4, later)], now=later, sleep=clock.sleep, clock=clock)
        status = crosspost.status(config)
        table = CliRunner().invoke(main, ["status", "--config", str(config.path)])
        as_json = CliRunner().invoke(main, ["status", "--config", str(config.path), "--json"])
        assert as_json.exit_code == 0 and table.exit_code == 0
        logging.getLogger("syndicator").removeHandler(own)
        logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
        assert any("paused" in line for line in own.lines)
        _assert_clean(secrets, "\n".join(own.lines))
        assert "HTTP/1.1\" 404" in logged  # requests were logged (secret paths masked)
        _assert_clean(secrets, logged, _ledger_bytes(config.state_dir), json.dumps(status),
                      table.output, as_json.output, repr(report), report.summary())
        assert report.paused and "$MASTO_TOKEN" in report.paused["masto"]


def test_unexpected_exception_text_and_traceback_are_redacted(tmp_path, fake_kinds, caplog):
    token = os.environ["FAKE_TOKEN"]
    config = make_config(tmp_path, endpoints=[fake("masto")])
    crosspost.run(config, [], now=NOW, sleep=lambda s: None)

    def leaky(self, post, body, message, *, key, now):
        raise RuntimeError(f"POST https://x.test/?token={self.secrets['token']} failed: "
                           f"Authorization: Bearer {self.secrets['token']}")

    FakeEndpoint.script["masto"] = []
    with pytest.MonkeyPatch.context() as mp, caplog.at_level(logging.DEBUG):
        mp.setattr(FakeEndpoint, "send", leaky)
        report = crosspost.run(config, [make_post(1)], now=NOW, sleep=lambda s: None)
    assert report.count("unknown") == 1
    assert "RuntimeError" in caplog.text
    _assert_clean([token], caplog.text, _ledger_bytes(config.state_dir), repr(report))


def test_error_messages_with_the_secret_are_redacted_in_the_ledger(tmp_path, fake_kinds):
    token = os.environ["FAKE_TOKEN"]
    config = make_config(tmp_path, endpoints=[fake("masto")])
    crosspost.run(config, [], now=NOW, sleep=lambda s: None)
    FakeEndpoint.script["masto"] = [PermanentError(f"rejected token {token}", status=422),
                                    TransientError(f"busy, key={token}", status=503)]
    report = crosspost.run(config, [make_post(1), make_post(2)], now=NOW, sleep=lambda s: None)
    assert report.count("failed") == 1
    _assert_clean([token], _ledger_bytes(config.state_dir),
                  json.dumps(crosspost.status(config)), repr(report))


def test_secrets_file_values_are_redacted_and_never_echoed(tmp_path, fake_kinds, caplog):
    secret = "file-secret-value-0123456789"
    path = tmp_path / "secrets.toml"
    path.write_text(f'[masto]\ntoken = "{secret}"\n')
    path.chmod(0o600)
    write_config(tmp_path, endpoints=[{"name": "masto", "type": "fake", "pace": "0s"}],
                 crosspost={"secrets_file": "secrets.toml"})
    from syndicator.config import load

    config = load(tmp_path / "config.toml")
    crosspost.run(config, [], now=NOW, sleep=lambda s: None)
    FakeEndpoint.script["masto"] = [TransientError(f"nope {secret}")]
    with caplog.at_level(logging.INFO):
        crosspost.run(config, [make_post(1)], now=NOW, sleep=lambda s: None)
    _assert_clean([secret], caplog.text, _ledger_bytes(config.state_dir))
    path.write_text(f'[masto]\ntoken = "{secret}\n')  # broken TOML must not be quoted back
    with pytest.raises(Exception) as caught:
        crosspost.check_config(load(tmp_path / "config.toml"))
    _assert_clean([secret], str(caught.value))


@pytest.mark.parametrize("text, secret, gone", [
    ("GET https://discord.com/api/webhooks/123/abcDEF-ghi_jkl", None, "abcDEF"),
    ("POST /api/webhooks/123/abcDEFghi_jklmnop?wait=true", None, "abcDEF"),
    ("https://hooks.slack.com/services/T0001/B0001/XXXXYYYYZZZZ", None, "XXXXYYYY"),
    ("Authorization: Bearer eyJhbGciOi.payload.sig", None, "eyJhbGciOi"),
    ("curl -H 'Authorization: Token abcd1234efgh'", None, "abcd1234efgh"),
    ("https://bob:hunter2hunter2@example.org/", None, "hunter2hunter2"),
    ("https://x.test/cb?access_token=zz9zz9&x=1", None, "zz9zz9"),
    ('{"identifier": "me", "password": "app-pass-1234"}', None, "app-pass-1234"),
    ("webhook-signature: v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=", None, "K5oZfzN95Z9"),
    ("sent with s3cr%2Ft%3D%3D", "s3cr/t==", "s3cr"),
    ("http://127.0.0.1:9/api/hooks/abc123def456ghi789 failed", "http://127.0.0.1:9/api/hooks/abc123def456ghi789", "abc123"),
])
def test_redact_masks_secret_shapes(text, secret, gone):
    out = redact.redact(text, [secret] if secret else [])
    assert gone not in out


def test_redact_keeps_a_webhook_host_readable():
    url = "https://discord.com/api/webhooks/1234/tok-en_value-0987654321"
    assert redact.redact(f"failed: {url}?wait=true", [url]) == "failed: https://discord.com/…masked?wait=true"
