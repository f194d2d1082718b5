"""Cross-posting throughput: one `crosspost.run` delivering N new posts to four endpoints
(Mastodon, Bluesky, webhook, Discord) on the local fakes, in-process, so the figure is the
delivery path itself (ledger claims and records, rendering, HTTP on 127.0.0.1), not CLI start-up.

    python bench/bench_crosspost.py [N] [REPEATS]

Prints the best and median wall time and CPU time per run. It uses only the public
`syndicator.config.load` and `syndicator.crosspost.run`, so it runs unchanged against an older
checkout (PYTHONPATH=that-checkout) for a before/after comparison.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from fakes import FakeBluesky, FakeDiscord, FakeMastodon, FakeWebhook  # noqa: E402

from syndicator import crosspost  # noqa: E402
from syndicator.config import load  # noqa: E402
from syndicator.model import Post  # noqa: E402

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)


def _post(n: int) -> Post:
    when = NOW - timedelta(minutes=n)
    return Post(source=f"p{n}.md", id=f"tag:example.org,2026:p{n}", slug=f"p{n}",
                title=f"Post {n} ✨", url=f"https://example.org/p{n}/", published=when,
                updated=when, body=f"Body {n}.", body_format="markdown",
                summary=f"Summary of post {n}, with a few words to fit.")


def _config(root: Path, masto, bsky, hook, discord) -> Path:
    tables = [
        f'name = "masto"\ntype = "mastodon"\ninstance = "{masto.url}"\ntoken_env = "B_MASTO"',
        f'name = "bsky"\ntype = "bluesky"\nhandle = "{bsky.handle}"\nservice = "{bsky.url}"\n'
        'password_env = "B_BSKY"\ncard = false',
        f'name = "hook"\ntype = "webhook"\nurl = "{hook.url}"\nsecret_env = "B_HOOK"',
        'name = "chat"\ntype = "discord"\nurl_env = "B_DISCORD"',
    ]
    text = '[site]\ntitle = "Bench"\nurl = "https://example.org/"\n\n' + "".join(
        f'[[endpoints]]\n{t}\npace = "0s"\n\n' for t in tables)
    (root / "config.toml").write_text(text, encoding="utf-8")
    return root / "config.toml"


def one(n: int) -> tuple[float, float]:
    """Wall and CPU seconds of one run delivering n posts everywhere."""
    with FakeMastodon() as masto, FakeBluesky(login_limit=10**6) as bsky, FakeWebhook() as hook, \
            FakeDiscord() as discord, tempfile.TemporaryDirectory() as tmp:
        os.environ.update(B_MASTO=masto.token, B_BSKY=bsky.password, B_HOOK=hook.secret,
                          B_DISCORD=discord.url)
        config = load(_config(Path(tmp), masto, bsky, hook, discord))
        crosspost.run(config, [], now=NOW, sleep=lambda s: None)  # the baseline
        posts = [_post(i) for i in range(1, n + 1)]
        wall, cpu = time.perf_counter(), time.process_time()
        report = crosspost.run(config, posts, now=NOW + timedelta(hours=1), sleep=lambda s: None)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert report.count("sent") == 4 * n, report.summary()
        return wall, cpu


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    runs = [one(n) for _ in range(repeats)]
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    print(f"crosspost.run, {n} posts x 4 endpoints, {repeats} runs: wall best {min(walls):.2f} s "
          f"median {statistics.median(walls):.2f} s; cpu best {min(cpus):.2f} s "
          f"median {statistics.median(cpus):.2f} s; {min(walls) / (4 * n) * 1000:.1f} ms/delivery")


if __name__ == "__main__":
    main()
