"""FakeHub: a WebSub hub that accepts publish pings with 204."""

from __future__ import annotations

from .server import FakeServer, Reply, Request


class FakeHub(FakeServer):
    """Records `pings` as (hub.url, hub.topic) pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.pings: list[tuple[str, str | None]] = []

    @property
    def url(self) -> str:
        """The hub URL ([feeds] hubs)."""
        return self.base_url + "/hub"

    def respond(self, req: Request) -> Reply:
        if req.method != "POST" or req.path != "/hub":
            return Reply(404, "not found")
        form = req.form
        if form.get("hub.mode") != ["publish"] or not form.get("hub.url"):
            return Reply(400, "hub.mode must be publish and hub.url is required")
        self.pings.append((form["hub.url"][0], (form.get("hub.topic") or [None])[0]))
        return Reply(204)
