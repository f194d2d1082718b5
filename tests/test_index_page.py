"""The index page at `/`: rendering rules, and a real headless Chromium looking at it (issue 4)."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from datetime import datetime, timezone
from pathlib import Path

import pytest
from lxml import html as lxml_html

from syndicator.build import build
from syndicator.config import load as load_config
from syndicator.server import serve_in_thread
from syndicator.server.index_page import IndexPage

ARTIFACTS = Path(__file__).parent / "artifacts"
NOW = datetime(2020, 1, 1, tzinfo=timezone.utc)
BIO = ("Jamie Quill restores old hand tools and writes about learning a trade in public. "
       "Letters are always welcome, and usually answered.")


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG, so the page has real images without any network."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def post(n: int, title: str, *, extra: str = "", body: str = "") -> str:
    """A post file: the same front matter a writer would put in it."""
    return (f"---\ntitle: {json.dumps(title)}\ndate: 2018-05-{n:02d}T09:00:00+00:00\nauthor: jamie\n"
            f"tags: [sharpening]\ncategories: [workshop]\n{extra}---\n{body or f'The body of post {n}.'}\n")


SHARPENING = """summary: Ten minutes at the stone each morning saves an hour of fighting a dull plane later.
image:
  url: {base}photo.png
  alt: A whetstone
  credit:
    name: mirela.k
    url: https://unsplash.example.com/@mirela.k
    source: Unsplash
    source_url: https://unsplash.example.com/
influences:
  - name: Ana Ferreira
    url: https://ferreira.example.net/
  - Otto Brenner
  - name: Ruth Okoye
    note: on edges
"""
HOSTILE = """summary: "<b>not bold</b>"
influences:
  - name: Mallory
    url: "javascript:alert(2)"
"""


def write_site(root: Path, base: str = "http://127.0.0.1/", *, formats: str = '"rss", "atom", "json"') -> Path:
    """A site with three posts (one rich, one hostile), built; returns the config path."""
    (root / "posts").mkdir(exist_ok=True)
    (root / "posts" / "2018-05-14-sharpening.md").write_text(
        post(14, "Sharpening as a Daily Habit", extra=SHARPENING.format(base=base)), encoding="utf-8")
    (root / "posts" / "2018-05-10-ten.md").write_text(post(10, "Post number 10"), encoding="utf-8")
    (root / "posts" / "2018-05-03-hostile.md").write_text(
        post(3, "<script>alert(1)</script> & friends", extra=HOSTILE), encoding="utf-8")
    (root / "config.toml").write_text(f"""
[site]
title = "Jamie Quill"
url = "https://example.org/"
description = "Notes from a small workshop."

[authors.jamie]
name = "Jamie Quill"
url = "https://example.org/about/"
avatar = "{base}avatar.png"
bio = "{BIO}"

[feeds]
output = "feeds"
formats = [{formats}]
""", encoding="utf-8")
    config = load_config(root / "config.toml")
    report = build(config, now=NOW)
    # the hostile post's javascript: URL is dropped with a warning (issue 8, item 7); nothing else
    assert [str(p).split(": ", 1)[1] for p in report.problems] == [
        "warning: influences: a javascript: URL is not allowed (only http, https and relative URLs); dropped"]
    (config.feeds.output / "avatar.png").write_bytes(png(96, 96, (180, 65, 15)))
    (config.feeds.output / "photo.png").write_bytes(png(640, 320, (40, 90, 140)))
    return root / "config.toml"


def page(config) -> str:
    return (config.feeds.output / config.feeds.paths.site("page")).read_text(encoding="utf-8")


# ---------------------------------------------------------------- rendering, no browser

def test_render_escapes_and_links(tmp_path):
    config = load_config(write_site(tmp_path))
    html = page(config)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; friends" in html
    assert "javascript:" not in html and "&lt;b&gt;not bold&lt;/b&gt;" in html
    doc = lxml_html.fromstring(html)
    assert doc.xpath("//meta[@name='viewport']")
    feeds = doc.xpath("//section[@id='feeds']//li")
    assert [li.get("class") for li in feeds] == ["feed feed-site", "feed feed-author", "feed feed-category",
                                                  "feed feed-tag"]
    assert [li.xpath("string(span[@class='name'])") for li in feeds] == [
        "All posts", "Jamie Quill", "workshop", "sharpening"]
    assert "Mallory" in doc.xpath("string(//section[@id='posts'])") and not doc.xpath("//a[text()='Mallory']")


def test_render_without_any_feed(tmp_path):
    config = load_config(write_site(tmp_path))
    shutil.rmtree(config.feeds.output)
    served = IndexPage(config).get().body.decode()
    assert "No feeds have been built yet" in served and "No posts published yet" in served


def test_bio_falls_back_to_config(tmp_path):
    config = load_config(write_site(tmp_path))
    bios = lxml_html.fromstring(page(config)).xpath("//p[@class='bio']")
    assert len(bios) == 1 and BIO in bios[0].text_content()  # the bio comes from [authors.jamie], once


def test_broken_feed_json_still_renders(tmp_path):
    config = load_config(write_site(tmp_path))
    before = IndexPage(config).get().body
    (config.feeds.output / "feed.json").write_text('{"items": [1, {"title": 5}]}')
    assert IndexPage(config).get().body == before  # the page never reads the feeds back
    (config.feeds.output / "feed.json").write_text("{not json")
    assert b"Sharpening as a Daily Habit" in IndexPage(config).get().body


def test_posts_from_atom_when_there_is_no_json_feed(tmp_path):
    config = load_config(write_site(tmp_path, formats='"atom"'))
    assert not (config.feeds.output / "feed.json").exists()
    html = page(config)
    assert "Sharpening as a Daily Habit" in html and "Ten minutes at the stone" in html and "14 May 2018" in html
    assert BIO in html  # the bio from the config
    assert 'href="atom.xml"' in html and 'href="rss.xml"' not in html and "feed.json" not in html


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
    assert f'src="{base}photo.png"'.encode() in srv.index.get().body
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
