"""`syndicator import`: a WordPress export (posts, pages, drafts, private posts, attachments)
and feeds become post files that build to feeds whose ids are the original guids."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import yaml
from crosspost_helpers import write_config
from fakes import FakeFeedServer
from sources_helpers import FIXTURES, fixture

from syndicator.build import build
from syndicator.config import load
from syndicator.importer import import_blog

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=timezone.utc)
GUIDS = ["https://fieldnotes.example/?p=201", "https://fieldnotes.example/?p=207",
         "https://fieldnotes.example/?p=212"]


def _meta(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "syndicator", "--config",
                           str(root / "config.toml"), *args], capture_output=True, text=True,
                          timeout=60, env=os.environ.copy())
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_wxr_imports_published_posts_and_counts_the_rest(tmp_path: Path) -> None:
    write_config(tmp_path)
    proc = _cli(tmp_path, "import", str(FIXTURES / "wxr-export.xml"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == (
        "3 post(s) written; skipped: 2 attachment, 1 draft, 1 nav_menu_item (not a post), "
        "1 page (not a post), 1 private")
    files = sorted(p.name for p in (tmp_path / "posts").iterdir())
    assert files == ["2026-11-24-steps.html", "2026-11-27-benches.html",
                     "2026-11-29-three-bridges.html"]
    meta = _meta(tmp_path / "posts" / "2026-11-29-three-bridges.html")
    assert meta == {
        "title": "Three bridges before breakfast",
        "date": datetime(2026, 11, 29, 7, 30, tzinfo=timezone.utc),
        "updated": datetime(2026, 11, 29, 9, 2, 11, tzinfo=timezone.utc),
        "id": "https://fieldnotes.example/?p=212", "authors": ["ines"], "tags": ["bridges"],
        "categories": ["Walks"],
        "image": {"url": "https://fieldnotes.example/wp-content/uploads/2026/11/piers.jpg",
                  "alt": "Stone piers in a shallow river at dawn", "credit": "Ines Okafor"},
        "canonical_url": "https://fieldnotes.example/2026/11/three-bridges/"}
    benches = (tmp_path / "posts" / "2026-11-27-benches.html").read_text(encoding="utf-8")
    assert "<p>The one by the pond faces the wrong way, on purpose.</p>" in benches
    assert _meta(tmp_path / "posts" / "2026-11-27-benches.html")["categories"] == ["Maps"]
    config = load(tmp_path / "config.toml")
    assert config.authors["tomas-r"].name == "Tomás Ruiz" and config.authors["ines"].email is None
    assert "private.example" not in (tmp_path / "config.toml").read_text(encoding="utf-8")


def test_imported_posts_build_to_feeds_with_the_original_guids(tmp_path: Path) -> None:
    write_config(tmp_path)
    import_blog(load(tmp_path / "config.toml"), str(FIXTURES / "wxr-export.xml"), now=NOW)
    config = load(tmp_path / "config.toml")
    report = build(config, now=NOW)
    assert not report.problems and len(report.published) == 3
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse((config.feeds.output / name).read_bytes())
        assert sorted(e.id for e in parsed.entries) == GUIDS, name
        links = {e.id: e.link for e in parsed.entries}
        assert links["https://fieldnotes.example/?p=212"] == "https://fieldnotes.example/2026/11/three-bridges/"
    items = json.loads((config.feeds.output / "feed.json").read_bytes())["items"]
    assert sorted(i["id"] for i in items) == GUIDS
    atom = feedparser.parse((config.feeds.output / "atom.xml").read_bytes())
    authors = {e.id: e.author for e in atom.entries}
    assert authors["https://fieldnotes.example/?p=207"] == "Tomás Ruiz"


def test_import_never_overwrites(tmp_path: Path) -> None:
    write_config(tmp_path)
    posts = tmp_path / "posts"
    posts.mkdir()
    mine = posts / "2026-11-24-steps.html"
    mine.write_text("---\ntitle: Mine\ndate: 2026-11-24\n---\n\n<p>my own</p>\n", encoding="utf-8")
    proc = _cli(tmp_path, "import", str(FIXTURES / "wxr-export.xml"))
    assert f"kept {mine} (exists; not overwritten)" in proc.stdout
    assert mine.read_text(encoding="utf-8").endswith("<p>my own</p>\n")
    again = _cli(tmp_path, "import", str(FIXTURES / "wxr-export.xml"))
    assert "0 post(s) written" in again.stdout and "3 exists (not overwritten)" in again.stdout
    assert (tmp_path / "config.toml").read_text(encoding="utf-8").count("[authors.ines]") == 1


def test_hostile_wxr_neither_expands_nor_reaches_out(tmp_path: Path) -> None:
    write_config(tmp_path)
    text = (FIXTURES / "wxr-export.xml").read_text(encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    external = text.replace("<rss version", f'<!DOCTYPE rss [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
                            "\n<rss version", 1).replace(
        "<title><![CDATA[Why I stopped counting steps]]></title>", "<title>Steps &x;</title>")
    (tmp_path / "external.xml").write_text(external, encoding="utf-8")
    assert _cli(tmp_path, "import", str(tmp_path / "external.xml"), "--to", str(tmp_path / "a")).returncode == 0
    assert "TOP-SECRET" not in "".join(p.read_text() for p in (tmp_path / "a").iterdir())
    laughs = "".join(f'<!ENTITY l{i + 1} "{("&l%d;" % i) * 10}">' for i in range(9))
    bomb = text.replace("<rss version", f'<!DOCTYPE rss [<!ENTITY l0 "lol">{laughs}]>\n<rss version', 1)
    (tmp_path / "bomb.xml").write_text(bomb.replace("<title><![CDATA[About]]>", "<title>&l9;"),
                                       encoding="utf-8")
    proc = _cli(tmp_path, "import", str(tmp_path / "bomb.xml"), "--to", str(tmp_path / "b"))
    assert proc.returncode == 1 and "bomb.xml:1: not a readable WordPress export" in proc.stderr
    assert not (tmp_path / "b").exists()


def test_feed_file_and_feed_url_import(tmp_path: Path) -> None:
    write_config(tmp_path)
    report = import_blog(load(tmp_path / "config.toml"), str(FIXTURES / "jsonfeed.json"),
                         to=tmp_path / "json", now=NOW)
    assert report.kind == "feed" and len(report.written) == 2
    ids = sorted(_meta(p)["id"] for p in report.written)
    assert ids == ["2", "https://tidepool.example/2026/anemones/"]
    with FakeFeedServer() as host:
        url = host.publish("/feed/", fixture("wordpress-rss.xml"))
        report = import_blog(load(tmp_path / "config.toml"), url, now=NOW)  # the posts folder
    metas = {m["id"]: m for m in map(_meta, report.written)}
    assert sorted(metas) == GUIDS
    assert metas[GUIDS[2]]["image"] == {
        "url": "https://fieldnotes.example/wp-content/uploads/2026/11/piers.jpg",
        "alt": "Stone piers in a shallow river at dawn"}
    assert metas[GUIDS[2]]["authors"] == ["ines-okafor"] and metas[GUIDS[2]]["tags"] == ["Walks", "bridges"]
    config = load(tmp_path / "config.toml")
    assert config.authors["ines-okafor"].name == "Ines Okafor"
    built = build(config, now=NOW)
    assert not built.problems and sorted(p.id for p in built.published) == GUIDS


def test_import_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    write_config(tmp_path)
    proc = _cli(tmp_path, "import", "nowhere.xml")
    assert proc.returncode == 1
    assert proc.stderr.strip() == ("error: nowhere.xml: no such file (give a WordPress export, "
                                   "a feed file or an http(s) feed URL)")
