"""Endpoint kinds. ENDPOINTS maps each `type` in [[endpoints]] to its class.

WebSub is not here: it is not per post; see endpoints.websub.ping_hubs.
"""

from __future__ import annotations

from .base import Endpoint, Message, Receipt
from .bluesky import Bluesky
from .discord import Discord
from .mastodon import Mastodon
from .micropub import Micropub
from .slack import Slack
from .webhook import Webhook

ENDPOINTS: dict[str, type[Endpoint]] = {
    cls.kind: cls for cls in (Mastodon, Bluesky, Micropub, Webhook, Discord, Slack)
}

__all__ = ["ENDPOINTS", "Endpoint", "Message", "Receipt"]
