"""The index page at `/`: rendering rules, and a real headless Chromium looking at it (issue 4)."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from lxml import html as lxml_html

from syndicator.config import load as load_config
from syndicator.server import serve_in_thread
from syndicator.server.index_page import discover, read_entries, render

ARTIFACTS = Path(__file__).parent / "artifacts"
ATTR = "https://syndicator.dev/ns/attribution/1.0"
BIO = ("Jamie Quill restores old hand tools and writes about learning a trade in public. "
       "Letters are always welcome, and usually answered.")


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG, so the page has real images without any network."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def item(n: int, base: str, **extra) -> dict:
    """A JSON Feed item shaped like syndicator/render/jsonfeed.py writes it."""
    author = {"name": "Jamie Quill", "url": "https://example.org/about/", "avatar": f"{base}avatar.png"}
    out = {
        "id": f"tag:example.org,2018-05-{n:02d}:post-{n}", "url": f"https://example.org/2018/05/post-{n}/",
        "title": f"Post number {n}", "summary": f"The summary of post {n}.",
        "content_html": f"<p>The body of post {n}.</p>",
        "date_published": f"2018-05-{n:02d}T09:00:00+00:00", "date_modified": f"2018-05-{n:02d}T09:00:00+00:00",
        "authors": [author], "author": author, "tags": ["work"],
        "_attribution": {"about": ATTR, "authors": [{**author, "bio": BIO}]},
    }
    out.update(extra)
    return out


def write_site(root: Path, base: str = "http://127.0.0.1/") -> Path:
    """A feeds directory with site, tag, category and author feeds and a rich feed.json."""
    out = root / "feeds"
    first = item(14, base,
                 title="Sharpening as a Daily Habit",
                 summary="Ten minutes at the stone each morning saves an hour of "
                         "fighting a dull plane later.",
                 image=f"{base}photo.png")
    first["_attribution"].update({
        "credit": {"name": "mirela.k", "url": "https://unsplash.example.com/@mirela.k", "source": "Unsplash",
                   "source_url": "https://unsplash.example.com/"},
        "influences": [{"name": "Ana Ferreira", "url": "https://ferreira.example.net/"},
                       {"name": "Otto Brenner"},
                       {"name": "Ruth Okoye", "note": "on edges"}],
    })
    hostile = item(3, base, title="<script>alert(1)</script> & friends",
                   url="javascript:alert(2)", summary="<b>not bold</b>")
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Jamie Quill",
            "home_page_url": "https://example.org/", "items": [first, item(10, base), hostile]}
    data = json.dumps(feed, ensure_ascii=False).encode()
    for rel in ("", "tags/sharpening/", "categories/workshop/", "authors/jamie/"):
        (out / rel).mkdir(parents=True, exist_ok=True)
        for name in ("rss.xml", "atom.xml"):
            (out / rel / name).write_text("<x/>")
        sub = json.loads(data)
        if rel:
            sub["title"] = f"Jamie Quill: {rel.split('/')[1]}"
        (out / rel / "feed.json").write_text(json.dumps(sub, ensure_ascii=False))
    (out / "feeds.opml").write_text("<opml/>")
    (out / "avatar.png").write_bytes(png(96, 96, (180, 65, 15)))
    (out / "photo.png").write_bytes(png(640, 320, (40, 90, 140)))
    (root / "config.toml").write_text("""
[site]
title = "Jamie Quill"
url = "https://example.org/"
description = "Notes from a small workshop."

[authors.jamie]
name = "Jamie Quill"
bio = "Jamie Quill is a writer."

[feeds]
output = "feeds"
""")
    return root / "config.toml"


# ---------------------------------------------------------------- rendering, no browser

def test_render_escapes_and_links(tmp_path):
    config = load_config(write_site(tmp_path))
    page = render(config, feeds=discover(config), entries=read_entries(config))
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; friends" in page
    assert "javascript:" not in page and "&lt;b&gt;not bold&lt;/b&gt;" in page
    doc = lxml_html.fromstring(page)
    assert doc.xpath("//meta[@name='viewport']")
    kinds = [fs.kind for fs in discover(config)]
    assert kinds == ["site", "authors", "categories", "tags"]
    assert [fs.title for fs in discover(config)] == ["All posts", "Jamie Quill", "workshop", "sharpening"]


def test_render_without_any_feed(tmp_path):
    config = load_config(write_site(tmp_path))
    shutil.rmtree(config.feeds.output)
    page = render(config, feeds=discover(config), entries=read_entries(config))
    assert "No feeds have been built yet" in page and "No posts published yet" in page


def test_bio_falls_back_to_config(tmp_path):
    config = load_config(write_site(tmp_path))
    path = config.feeds.output / "feed.json"
    feed = json.loads(path.read_text())
    for it in feed["items"]:
        del it["_attribution"]
    path.write_text(json.dumps(feed))
    page = render(config, feeds=discover(config), entries=read_entries(config))
    assert "Jamie Quill is a writer." in page


def test_broken_feed_json_still_renders(tmp_path):
    config = load_config(write_site(tmp_path))
    (config.feeds.output / "feed.json").write_text('{"items": [1, {"title": 5, "authors": "x", '
                                                   '"_attribution": {"credit": 3, "influences": "y"}}]}')
    page = render(config, feeds=discover(config), entries=read_entries(config))
    assert "(untitled)" in page
    (config.feeds.output / "feed.json").write_text("{not json")
    assert "Latest posts" in render(config, feeds=discover(config), entries=read_entries(config))


def test_posts_from_atom_when_there_is_no_json_feed(tmp_path):
    config = load_config(write_site(tmp_path))
    (config.feeds.output / "feed.json").unlink()
    (config.feeds.output / "atom.xml").write_text(
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>x</id><updated>2018-05-14T00:00:00Z</updated>'
        '<entry><title>From Atom</title><id>e</id><link href="https://example.org/a/"/>'
        '<published>2018-05-14T09:00:00Z</published><updated>2018-05-14T09:00:00Z</updated>'
        '<author><name>Jamie Quill</name></author><summary>Atom summary</summary></entry></feed>')
    page = render(config, feeds=discover(config), entries=read_entries(config))
    assert "From Atom" in page and "Atom summary" in page and "14 May 2018" in page
    assert "Jamie Quill is a writer." in page  # the bio from the config


# ---------------------------------------------------------------- headless Chromium

def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("headless Chromium not installed (Debian package `chromium`); index page not "
                    "checked in a real browser")
    return path


def _run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    # Loopback only: every other host name resolves to nothing, and Chromium's own
    # background traffic (updates, sync, QUIC probes) is switched off.
    cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-extensions", "--disable-default-apps", "--hide-scrollbars",
           "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
           f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90)


@pytest.fixture
def served(tmp_path):
    config_path = write_site(tmp_path)
    srv = serve_in_thread(load_config(config_path), host="127.0.0.1", port=0)
    base = f"http://127.0.0.1:{srv.server_address[1]}/"
    write_site(tmp_path, base)  # again, now that the port (and so the image URLs) is known
    yield base
    srv.shutdown()
    srv.server_close()


def test_index_page_in_chromium(served, tmp_path):
    binary = _chromium()
    result = _run_chromium(binary, tmp_path / "profile", "--virtual-time-budget=3000", "--dump-dom", served)
    assert result.returncode == 0, result.stderr[-2000:]
    doc = lxml_html.fromstring(result.stdout)

    alternates = {(ln.get("type"), ln.get("href")) for ln in doc.xpath("//head/link[@rel='alternate']")}
    for prefix in ("", "tags/sharpening/", "categories/workshop/", "authors/jamie/"):
        assert ("application/rss+xml", f"{prefix}rss.xml") in alternates
        assert ("application/atom+xml", f"{prefix}atom.xml") in alternates
        assert ("application/feed+json", f"{prefix}feed.json") in alternates
    assert all(ln.get("title") for ln in doc.xpath("//head/link[@rel='alternate']"))

    hrefs = set(doc.xpath("//section[@id='feeds']//a/@href"))
    assert {"rss.xml", "atom.xml", "feed.json", "tags/sharpening/rss.xml", "feeds.opml"} <= hrefs

    text = " ".join(doc.xpath("//section[@id='posts']")[0].itertext())
    assert "Sharpening as a Daily Habit" in text
    assert BIO in " ".join(" ".join(p.itertext()) for p in doc.xpath("//p[@class='bio']"))
    assert "Photo by mirela.k on Unsplash" in doc.xpath("string(//figcaption)")
    assert "Ana Ferreira" in text and "Ruth Okoye (on edges)" in text
    assert doc.xpath("//img[contains(@src, 'avatar.png')]")
    assert not doc.xpath("//script") and "<script>alert(1)</script> & friends" in text

    ARTIFACTS.mkdir(exist_ok=True)
    for name, size in (("index-phone.png", "390,1400"), ("index-desktop.png", "1280,1000")):
        shot = ARTIFACTS / name
        shot.unlink(missing_ok=True)
        result = _run_chromium(binary, tmp_path / "profile", "--virtual-time-budget=3000",
                               f"--window-size={size}", f"--screenshot={shot}", served)
        assert result.returncode == 0 and shot.stat().st_size > 10_000, result.stderr[-2000:]
