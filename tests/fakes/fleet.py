"""The four endpoints the crash tests drive (Mastodon, Bluesky, a signed webhook, Discord),
configured against running fakes: their secrets as environment variables, and their config tables."""

from __future__ import annotations

import os
from typing import Any

from .bluesky import FakeBluesky
from .discord import FakeDiscord
from .mastodon import FakeMastodon
from .webhook import FakeWebhook


def fleet(masto: FakeMastodon, bsky: FakeBluesky, hook: FakeWebhook,
          discord: FakeDiscord) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """(environment with every secret, endpoint tables named masto, bsky, hook and chat), unpaced."""
    env = {**os.environ, "MASTO_TOKEN": masto.token, "BSKY_PASSWORD": bsky.password,
           "HOOK_SECRET": hook.secret, "DISCORD_URL": discord.url}
    return env, [
        {"name": "masto", "type": "mastodon", "instance": masto.url, "token_env": "MASTO_TOKEN", "pace": "0s"},
        {"name": "bsky", "type": "bluesky", "handle": bsky.handle, "service": bsky.url,
         "password_env": "BSKY_PASSWORD", "pace": "0s", "card": False},
        {"name": "hook", "type": "webhook", "url": hook.url, "secret_env": "HOOK_SECRET", "pace": "0s"},
        {"name": "chat", "type": "discord", "url_env": "DISCORD_URL", "pace": "0s"},
    ]
