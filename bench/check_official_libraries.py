"""Judge generated cross-posts by the platforms' own libraries and print the failures found.

    python bench/check_official_libraries.py [N]

Slack: N posts with hostile titles and summaries (<!channel>, <!here>, <@U…>, &, <, >, emoji
with modifiers, RTL and Indic text, URLs) are sent by the Slack endpoint to the local FakeSlack;
each payload is checked for mention sequences Slack would act on (in `text` and every mrkdwn
block) and every block is parsed and validated by slack_sdk. Webhook: N deliveries, each with a
fresh whsec_ secret (padded or unpadded), are verified by the official `standardwebhooks`
library. Target: 0 failures of each kind.
"""

from __future__ import annotations

import base64
import os
import random
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import requests  # noqa: E402
import standardwebhooks  # noqa: E402
from endpoint_helpers import make_body, make_endpoint, make_post  # noqa: E402
from fakes import FakeSlack, FakeWebhook  # noqa: E402
from fakes.slack import PING  # noqa: E402
from slack_sdk.models.blocks import Block  # noqa: E402

from syndicator.crosspost_settings import KINDS  # noqa: E402
from syndicator.endpoints.slack import Slack  # noqa: E402
from syndicator.endpoints.webhook import Webhook  # noqa: E402

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
PIECES = ["<!channel>", "<!here>", "<!everyone>", "<@U024BE7LH>", "<#C01|general>",
          "<!subteam^S01>", "<https://evil.example|click>", "&amp;", "&", "<", ">", "Fish & chips",
          "👩🏽‍💻", "🏳️‍🌈", "e\u0301", "क्षत्रिय", "مرحبا بالعالم", "שלום", "日本語のテキスト",
          "https://example.org/a_(b)?q=1+2", "#tag", "@someone", "plain words", "x" * 40]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(PIECES) for _ in range(words))


def check_slack(n: int, rng: random.Random) -> tuple[int, int]:
    """(payloads with a ping, blocks slack_sdk rejects)."""
    pings = invalid = 0
    with FakeSlack() as fake, requests.Session() as session:
        ep = make_endpoint(Slack, "team", {}, {"url": fake.url}, session)
        template = KINDS["slack"].default_template
        for i in range(n):
            post = make_post(i, title=_text(rng, rng.randint(1, 6)))
            body = make_body(_text(rng, rng.randint(1, 60)))
            message = ep.render(post, body, template=template)
            before = len(fake.pings)
            ep.send(post, body, message, key=f"k{i}", now=NOW)
            pings += len(fake.pings) > before
            for raw in fake.messages[-1]["blocks"]:
                try:
                    block = Block.parse(raw)
                    block.validate_json()
                    invalid += block.to_dict() != raw
                except Exception:  # slack_sdk's own verdict, whatever it raises
                    invalid += 1
    return pings, invalid


def check_webhook(n: int, rng: random.Random) -> int:
    """Deliveries the official library does not verify."""
    failures = 0
    with requests.Session() as session:
        for i in range(n):
            encoded = base64.b64encode(os.urandom(rng.choice([23, 24, 32, 33]))).decode()
            secret = "whsec_" + (encoded.rstrip("=") if i % 2 else encoded)
            with FakeWebhook(secret=secret) as fake:
                ep = make_endpoint(Webhook, "hook", {"url": fake.url}, {"secret": secret}, session)
                post, body = make_post(i, title=_text(rng, 3)), make_body(_text(rng, 10))
                message = ep.render(post, body, template="{title} {url}")
                ep.send(post, body, message, key=f"msg_{i}", now=NOW)
                raw = fake.requests[-1]
                try:
                    standardwebhooks.Webhook(secret).verify(raw.body, raw.headers)
                except standardwebhooks.WebhookVerificationError:
                    failures += 1
    return failures


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rng = random.Random(9)
    pings, invalid = check_slack(n, rng)
    print(f"slack: {n} generated posts: {pings} payload(s) with a mention Slack would act on, "
          f"{invalid} block(s) slack_sdk rejects")
    failures = check_webhook(max(1, n // 4), rng)
    print(f"webhook: {max(1, n // 4)} deliveries (half with unpadded whsec_ secrets): "
          f"{failures} not verified by standardwebhooks")


if __name__ == "__main__":
    main()
