"""The feed server over real HTTP on 127.0.0.1: types, caching, gzip, Link, safety, load (issue 4)."""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from email.utils import formatdate
from http.client import HTTPConnection
from pathlib import Path

import feedparser
import pytest

from syndicator.build import build
from syndicator.config import load as load_config
from syndicator.server import safe_segments, serve_in_thread

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Test Site</title><link>https://example.org/</link>
<description>Notes</description>
<item><title>Network by Working</title><link>https://example.org/2018/05/network-by-working/</link>
<guid isPermaLink="false">tag:example.org,2018-05-14:network-by-working</guid>
<description>If you don't think you have time to network...</description></item>
</channel></rss>
""" + b"<!-- padding so gzip is worth it -->\n" * 20
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Test Site</title><id>tag:example.org,2018:feed</id>
<updated>2018-05-14T00:00:00Z</updated></feed>
"""
OPML = b"""<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0"><head><title>Test Site feeds</title></head><body>
<outline type="rss" text="Test Site" xmlUrl="https://example.org/feeds/rss.xml"/></body></opml>
"""


def feed_json(title: str = "Network by Working") -> bytes:
    """A small JSON Feed with one item."""
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "Test Site",
        "items": [{"id": "tag:example.org,2018-05-14:network-by-working", "title": title,
                   "url": "https://example.org/2018/05/network-by-working/",
                   "date_published": "2018-05-14T09:00:00+00:00",
                   "authors": [{"name": "Jamie Quill"}]}],
    }).encode()


def write_config(root: Path, *, hubs: bool = True) -> Path:
    """config.toml beside a feeds/ directory; the secret sits outside feeds/."""
    hub_line = 'hubs = ["https://hub.example.org/"]' if hubs else ""
    path = root / "config.toml"
    path.write_text(f"""
[site]
title = "Test Site"
url = "https://example.org/"
description = "Notes on work"

[authors.james]
name = "Jamie Quill"
bio = "A writer."

[feeds]
output = "feeds"
url = "https://example.org/feeds/"
{hub_line}

[server]
host = "127.0.0.1"
port = 0

[[endpoints]]
name = "secret-holder"
type = "webhook"
url = "https://hooks.example/in?token=SUPERSECRET-TOKEN"
secret_env = "SECRET_HOLDER_SECRET"
""")
    return path


def make_site(root: Path, *, hubs: bool = True) -> Path:
    """A feeds directory with every kind of file the server must serve or refuse."""
    out = root / "feeds"
    (out / "tags" / "python").mkdir(parents=True)
    (out / "rss.xml").write_bytes(RSS)
    (out / "atom.xml").write_bytes(ATOM)
    (out / "feed.json").write_bytes(feed_json())
    (out / "feeds.opml").write_bytes(OPML)
    for name, data in (("rss.xml", RSS), ("atom.xml", ATOM), ("feed.json", feed_json())):
        (out / "tags" / "python" / name).write_bytes(data)
    (out / "README.md").write_text("# feeds/\nnot for the public\n")
    (out / ".hidden.xml").write_text("dotfile")
    (out / ".rss.xml.tmp-abc123").write_bytes(RSS)
    (out / "rss.xml.tmp-abc123").write_bytes(RSS)
    (root / "secret.xml").write_text("<secret/>")
    (out / "escape.xml").symlink_to(root / "secret.xml")
    (out / "escape-dir").symlink_to(root)
    (out / "latest.xml").symlink_to(out / "rss.xml")  # inside: allowed
    (out / "tohidden.xml").symlink_to(out / ".hidden.xml")  # inside, but to a dotfile
    (out / "readme.xml").symlink_to(out / "README.md")  # inside, but to an unserved type
    os.mkfifo(out / "pipe.xml")
    return write_config(root, hubs=hubs)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server for the read-only tests; tests that change files start their own."""
    config = load_config(make_site(tmp_path_factory.mktemp("site")))
    srv = serve_in_thread(config, host="127.0.0.1", port=0, timeout=5)
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def own_server(tmp_path):
    """A server of this test's own over tmp_path/feeds."""
    srv = serve_in_thread(load_config(make_site(tmp_path)), host="127.0.0.1", port=0, timeout=5)
    yield srv
    srv.shutdown()
    srv.server_close()


def get(srv, path: str, *, method: str = "GET", headers: dict | None = None):
    """One request on a fresh connection: (status, headers as dict of lists, body)."""
    conn = HTTPConnection("127.0.0.1", srv.server_address[1], timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        hdrs: dict[str, list[str]] = {}
        for k, v in resp.getheaders():
            hdrs.setdefault(k.lower(), []).append(v)
        return resp.status, hdrs, body
    finally:
        conn.close()


def raw(srv, request: bytes, timeout: float = 10) -> tuple[int, bytes]:
    """Send bytes exactly as given; (status, whole response)."""
    with socket.create_connection(("127.0.0.1", srv.server_address[1]), timeout=timeout) as s:
        s.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    match = re.match(rb"HTTP/1\.[01] (\d{3})", data)
    assert match, data
    return int(match.group(1)), data


# ---------------------------------------------------------------- types and caching

@pytest.mark.parametrize("path, ctype", [
    ("/rss.xml", "application/rss+xml; charset=utf-8"),
    ("/atom.xml", "application/atom+xml; charset=utf-8"),
    ("/feed.json", "application/feed+json; charset=utf-8"),
    ("/feeds.opml", "text/x-opml; charset=utf-8"),
    ("/tags/python/rss.xml", "application/rss+xml; charset=utf-8"),
    ("/tags/python/atom.xml", "application/atom+xml; charset=utf-8"),
    ("/", "text/html; charset=utf-8"),
    ("/healthz", "application/json; charset=utf-8"),
])
def test_content_types(server, path, ctype):
    status, headers, _ = get(server, path)
    assert status == 200
    assert headers["content-type"] == [ctype]


def test_body_etag_and_last_modified(own_server, tmp_path):
    status, headers, body = get(own_server, "/rss.xml")
    assert status == 200 and body == RSS
    assert re.fullmatch(r'"[0-9a-f]{32}"', headers["etag"][0])  # strong
    mtime = int((tmp_path / "feeds" / "rss.xml").stat().st_mtime)
    assert headers["last-modified"] == [formatdate(mtime, usegmt=True)]
    assert headers["vary"] == ["Accept-Encoding"]
    assert int(headers["content-length"][0]) == len(RSS)


def test_if_none_match(server):
    _, headers, _ = get(server, "/rss.xml")
    etag = headers["etag"][0]
    status, h304, body = get(server, "/rss.xml", headers={"If-None-Match": etag})
    assert status == 304 and body == b""
    assert h304["etag"] == [etag]
    assert get(server, "/rss.xml", headers={"If-None-Match": '"other"'})[0] == 200
    assert get(server, "/rss.xml", headers={"If-None-Match": f'"x", W/{etag}'})[0] == 304
    assert get(server, "/rss.xml", headers={"If-None-Match": "*"})[0] == 304


def test_if_modified_since(server):
    _, headers, _ = get(server, "/atom.xml")
    last = headers["last-modified"][0]
    assert get(server, "/atom.xml", headers={"If-Modified-Since": last})[0] == 304
    later = formatdate(time.time() + 3600, usegmt=True)
    assert get(server, "/atom.xml", headers={"If-Modified-Since": later})[0] == 304
    assert get(server, "/atom.xml", headers={"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"})[0] == 200
    assert get(server, "/atom.xml", headers={"If-Modified-Since": "not a date"})[0] == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
    both = {"If-None-Match": '"stale"', "If-Modified-Since": last}
    assert get(server, "/atom.xml", headers=both)[0] == 200


def test_changed_file_gets_new_etag(own_server, tmp_path):
    server = own_server
    _, before, _ = get(server, "/atom.xml")
    path = tmp_path / "feeds" / "atom.xml"
    tmp = path.with_name(".atom.xml.tmp-1")
    tmp.write_bytes(ATOM.replace(b"Test Site", b"Renamed Site"))
    os.replace(tmp, path)  # the way the build writes
    status, after, body = get(server, "/atom.xml", headers={"If-None-Match": before["etag"][0]})
    assert status == 200 and b"Renamed Site" in body
    assert after["etag"] != before["etag"]


def test_head(server):
    s1, full, body = get(server, "/rss.xml")
    s2, head, empty = get(server, "/rss.xml", method="HEAD")
    assert (s1, s2) == (200, 200) and empty == b""
    for key in ("etag", "last-modified", "content-type", "content-length"):
        assert head[key] == full[key]
    assert get(server, "/", method="HEAD")[2] == b""
    status, _, body = get(server, "/nope.xml", method="HEAD")
    assert status == 404 and body == b""


def test_gzip(server):
    status, headers, body = get(server, "/rss.xml", headers={"Accept-Encoding": "gzip, deflate"})
    assert status == 200
    assert headers["content-encoding"] == ["gzip"]
    assert headers["vary"] == ["Accept-Encoding"]
    assert gzip.decompress(body) == RSS and len(body) < len(RSS)
    _, plain, _ = get(server, "/rss.xml")
    assert headers["etag"] != plain["etag"]  # two representations, two strong tags
    assert "content-encoding" not in plain
    assert get(server, "/rss.xml", headers={"Accept-Encoding": "gzip",
                                            "If-None-Match": headers["etag"][0]})[0] == 304
    _, refused, body = get(server, "/rss.xml", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused and body == RSS


def test_link_headers(server):
    _, headers, _ = get(server, "/tags/python/atom.xml")
    assert headers["link"] == ['<https://hub.example.org/>; rel="hub"',
                               '<https://example.org/feeds/tags/python/atom.xml>; rel="self"']
    _, opml, _ = get(server, "/feeds.opml")
    assert "link" not in opml


def test_no_link_headers_without_hubs(tmp_path):
    srv = serve_in_thread(load_config(make_site(tmp_path, hubs=False)), port=0)
    try:
        status, headers, _ = get(srv, "/rss.xml")
        assert status == 200 and "link" not in headers
    finally:
        srv.shutdown()
        srv.server_close()


# ---------------------------------------------------------------- what is never served

REFUSED = [
    "/../config.toml", "/%2e%2e/", "/%2e%2e%2fconfig.toml", "/%2E%2E/config.toml",
    "/..%2fconfig.toml", "/tags/..%2f..%2fconfig.toml", "/tags/%2e%2e/%2e%2e/config.toml",
    "/tags/../../config.toml", "/tags/python/..%5c..%5cconfig.toml", "/tags\\..\\..\\config.toml",
    "/escape.xml", "/escape-dir/secret.xml", "/escape-dir/config.toml", "/tohidden.xml", "/readme.xml",
    "/.hidden.xml", "/%2ehidden.xml", "/.rss.xml.tmp-abc123", "/rss.xml.tmp-abc123",
    "/tags", "/tags/", "/tags/python", "/tags/python/", "/README.md", "/pipe.xml",
    "//etc/passwd", "/etc/passwd", "/rss.xml%00", "/rss.xml%00.xml", "/./rss.xml", "/tags//python/rss.xml",
    "/%ff%fe.xml", "/nope.xml",
]


@pytest.mark.parametrize("path", REFUSED)
def test_refused_paths_are_404(server, path):
    status, data = raw(server, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    assert status == 404, data
    assert b"Traceback" not in data and b"secret" not in data.lower()


def test_absolute_form_target(server):
    assert raw(server, b"GET http://127.0.0.1/rss.xml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[0] == 200
    assert raw(server, b"GET http://x/../config.toml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[0] == 404


def test_symlink_inside_is_served(server):
    status, headers, body = get(server, "/latest.xml")
    assert status == 200 and body == RSS


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"])
def test_other_methods_405(server, method):
    status, data = raw(server, f"{method} /rss.xml HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                               "Connection: close\r\n\r\n".encode())
    assert status == 405
    assert b"Allow: GET, HEAD" in data


@pytest.mark.parametrize("request_bytes", [
    b"GARBAGE\r\n\r\n", b"GET /rss.xml HTTP/9.9\r\n\r\n", b"GET\r\n\r\n",
    b"GET /rss.xml HTTP/1.1\r\n" + b"X-Long: " + b"a" * 70000 + b"\r\n\r\n",
])
def test_bad_requests_no_traceback(server, request_bytes, caplog):
    status, data = raw(server, request_bytes)
    assert 400 <= status < 500 or status == 505
    assert b"Traceback" not in data


def test_one_debug_log_line_per_request(server, caplog):
    caplog.set_level("DEBUG", logger="syndicator.server")
    get(server, "/atom.xml?log-test")
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and not caplog.records:
        time.sleep(0.01)
    lines = [r for r in caplog.records if "/atom.xml?log-test" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelname == "DEBUG" and '" 200 ' in lines[0].getMessage()


def test_query_strings_are_ignored(server):
    assert get(server, "/rss.xml?utm_source=reader")[0] == 200


def test_safe_segments_unit():
    assert safe_segments("/") == ()
    assert safe_segments("/tags/python/rss.xml") == ("tags", "python", "rss.xml")
    assert safe_segments("/tags/caf%C3%A9/rss.xml") == ("tags", "café", "rss.xml")
    for bad in ("rss.xml", "/a/../b", "/%2e%2e", "/a%2Fb", "/a\\b", "/.x", "/a//b", "/a%0ab"):
        assert safe_segments(bad) is None, bad


# ---------------------------------------------------------------- health

def test_healthz_standalone(server):
    status, _, body = get(server, "/healthz")
    report = json.loads(body)
    assert status == 200 and report["status"] == "ok" and report["source"] == "files"
    assert report["posts_in_feed"] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", report["last_build"])
    assert "crosspost" in report
    assert b"SUPERSECRET" not in body


def test_healthz_has_the_same_fields_from_serve_and_the_daemon(server, tmp_path):
    from syndicator.server import BuildHealth

    def health():
        return BuildHealth(source="daemon", last_build="2026-01-01T00:00:00+00:00", published_posts=7,
                           builds=3, problems=0, started="2026-01-01T00:00:00+00:00")

    srv = serve_in_thread(load_config(make_site(tmp_path)), port=0, health=health)
    try:
        status, _, body = get(srv, "/healthz")
        report = json.loads(body)
        assert status == 200 and report["published_posts"] == 7 and report["source"] == "daemon"
        assert report.keys() == json.loads(get(server, "/healthz")[2]).keys()
        assert report["crosspost"] == json.loads(get(server, "/healthz")[2])["crosspost"]
        assert b"SUPERSECRET" not in body
    finally:
        srv.shutdown()
        srv.server_close()


def test_healthz_shows_paths_and_pid_only_to_loopback_or_the_token(tmp_path, monkeypatch):
    config_path = make_site(tmp_path)
    config_path.write_text(config_path.read_text().replace(
        'port = 0', 'port = 0\nhealth_token_env = "HEALTH_TOKEN"'))
    monkeypatch.setenv("HEALTH_TOKEN", "let-me-see")
    srv = serve_in_thread(load_config(config_path), port=0)
    try:
        local = json.loads(get(srv, "/healthz")[2])
        assert local["process"]["pid"] == os.getpid() and local["process"]["feeds"] == str(tmp_path / "feeds")
        for proxied in ({"X-Forwarded-For": "203.0.113.9"}, {"Forwarded": "for=203.0.113.9"},
                        {"X-Forwarded-For": "203.0.113.9", "Authorization": "Bearer wrong"}):
            body = get(srv, "/healthz", headers=proxied)[2]
            assert b'"pid"' not in body and str(tmp_path).encode() not in body, proxied
            assert json.loads(body).keys() == local.keys() - {"process"}
        with_token = get(srv, "/healthz", headers={"X-Forwarded-For": "203.0.113.9",
                                                   "Authorization": "Bearer let-me-see"})[2]
        assert json.loads(with_token)["process"]["pid"] == os.getpid()
        assert b"let-me-see" not in with_token
    finally:
        srv.shutdown()
        srv.server_close()


def test_one_status_cache_reads_the_ledger_once_per_window(tmp_path, monkeypatch):
    from syndicator import crosspost
    from syndicator.server import StatusCache

    reads = []
    monkeypatch.setattr(crosspost, "status", lambda config: reads.append(1) or {"endpoints": []})
    now = [100.0]
    config = load_config(make_site(tmp_path))
    cache = StatusCache(lambda: config, ttl=5, clock=lambda: now[0])
    assert cache.get() == cache.get() == {"endpoints": [], "problems": 0, "retrying": 0, "ledger": None}
    now[0] += 5.1
    cache.get()
    assert len(reads) == 2


def test_healthz_failing_callable_is_503(tmp_path):
    def health():
        raise RuntimeError("ledger gone")

    srv = serve_in_thread(load_config(make_site(tmp_path)), port=0, health=health)
    try:
        status, _, body = get(srv, "/healthz")
        assert status == 503 and b"ledger gone" not in body
    finally:
        srv.shutdown()
        srv.server_close()


# ---------------------------------------------------------------- index page caching

def test_index_rerendered_when_the_build_rewrites_it(own_server, tmp_path):
    # The page is the index.html the build writes beside the feeds (issue 7: never re-read from
    # feed.json); before any build the server says so.
    server = own_server
    s1, h1, body = get(server, "/")
    assert s1 == 200 and b"No feeds have been built yet" in body
    assert get(server, "/", headers={"If-None-Match": h1["etag"][0]})[0] == 304
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "2024-01-01-new.md").write_text("---\ntitle: A Brand New Post\n---\nHello.\n")
    build(load_config(tmp_path / "config.toml"), now=datetime(2025, 1, 1, tzinfo=timezone.utc))
    s2, h2, body = get(server, "/", headers={"If-None-Match": h1["etag"][0]})
    assert s2 == 200 and b"A Brand New Post" in body and h2["etag"] != h1["etag"]
    assert b'href="tags/python/rss.xml"' not in body  # the hand-made tag feed is not the build's


# ---------------------------------------------------------------- a real feed reader

def test_feedparser_second_fetch_gets_304(server):
    url = f"http://127.0.0.1:{server.server_address[1]}/rss.xml"
    first = feedparser.parse(url)
    assert first.status == 200 and first.bozo == 0
    assert first.entries[0].title == "Network by Working"
    assert first.etag and first.modified
    again = feedparser.parse(url, etag=first.etag)
    assert again.status == 304 and not again.entries
    by_date = feedparser.parse(url, modified=first.modified)
    assert by_date.status == 304


# ---------------------------------------------------------------- load and slow clients

def test_many_connections_with_slow_clients(tmp_path):
    # All from 127.0.0.1, so this server lets one address hold many connections.
    server = serve_in_thread(load_config(make_site(tmp_path)), port=0, timeout=5, max_per_client=256)
    port = server.server_address[1]
    slow = []
    for _ in range(50):  # half a request, then silence: each holds a connection
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"GET /rss.xml HTTP/1.1\r\nHost: x\r\n")
        slow.append(s)

    def fetch(i: int) -> tuple[int, float]:
        start = time.monotonic()
        path = ("/rss.xml", "/atom.xml", "/feed.json", "/")[i % 4]
        status = get(server, path)[0]
        return status, time.monotonic() - start

    try:
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=150) as pool:
            results = list(pool.map(fetch, range(150)))
        elapsed = time.monotonic() - start
    finally:
        for s in slow:
            s.close()
        server.shutdown()
        server.server_close()
    assert [status for status, _ in results] == [200] * 150
    assert max(t for _, t in results) < 3.0, max(t for _, t in results)
    assert elapsed < 5.0


def test_stalled_client_is_dropped(tmp_path):
    srv = serve_in_thread(load_config(make_site(tmp_path)), port=0, timeout=0.5)
    try:
        with socket.create_connection(("127.0.0.1", srv.server_address[1]), timeout=5) as s:
            s.sendall(b"GET /rss.xml HTTP/1.1\r\n")
            start = time.monotonic()
            assert s.recv(1024) == b""  # the server closed the connection
            assert time.monotonic() - start < 3
        assert get(srv, "/rss.xml")[0] == 200
    finally:
        srv.shutdown()
        srv.server_close()


def test_keep_alive_serves_several_requests(server):
    conn = HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
    try:
        for path in ("/rss.xml", "/atom.xml", "/nope.xml", "/rss.xml"):
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            assert resp.status in (200, 404)
    finally:
        conn.close()


def test_connection_cap_answers_503(tmp_path):
    srv = serve_in_thread(load_config(make_site(tmp_path)), port=0, timeout=5, max_connections=2)
    held = [socket.create_connection(("127.0.0.1", srv.server_address[1]), timeout=5) for _ in range(2)]
    try:
        time.sleep(0.2)
        status, _ = raw(srv, b"GET /rss.xml HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status == 503
    finally:
        for s in held:
            s.close()
        srv.shutdown()
        srv.server_close()


# ---------------------------------------------------------------- the command line

@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_serve_and_clean_exit(tmp_path, sig):
    config = make_site(tmp_path)
    script = Path(sys.executable).parent / "syndicator"  # the console script, as a user runs it
    proc = subprocess.Popen([str(script), "serve", "--config", str(config), "--host", "127.0.0.1",
                             "--port", "0"], stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        deadline = time.monotonic() + 15
        while "serving" not in line and time.monotonic() < deadline:
            line = proc.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        conn = HTTPConnection("127.0.0.1", int(match.group(1)), timeout=5)
        conn.request("GET", "/rss.xml")
        assert conn.getresponse().status == 200
        conn.close()
        proc.send_signal(sig)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# ---------------------------------------------------------------- slow clients from one address (issue 8)

def _serve_subprocess(config: Path) -> tuple[subprocess.Popen, int]:
    script = Path(sys.executable).parent / "syndicator"
    proc = subprocess.Popen([str(script), "serve", "--config", str(config), "--host", "127.0.0.1", "--port", "0"],
                            stderr=subprocess.PIPE, text=True)
    line, deadline = "", time.monotonic() + 15
    while "serving" not in line and time.monotonic() < deadline:
        line = proc.stderr.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert match, line
    return proc, int(match.group(1))


def test_slow_and_idle_clients_from_one_address_do_not_deny_another(tmp_path):
    # 600 idle and 100 trickling connections from 127.0.0.2, reconnecting whenever closed; the
    # issue's 30 s is bench/bench_slow_clients.py, this is the same attack for 6 s with a 2 s
    # header timeout, so every trickling connection is cut at least twice within the window.
    from slow_clients import attack_in_subprocess, probe

    config = make_site(tmp_path)
    config.write_text(config.read_text().replace("port = 0", "port = 0\nheader_timeout = 2"))
    proc, port = _serve_subprocess(config)
    attacker = attack_in_subprocess(port, seconds=8.0)  # its own process: the probe's timing is the server's
    try:
        time.sleep(1.0)  # the attack is in place
        results = probe(port, seconds=6.0, every=0.1)
        connects = int(attacker.communicate(timeout=30)[0])
    finally:
        attacker.kill()
        proc.terminate()
        proc.wait(10)
    statuses = [status for status, _ in results]
    times = sorted(t for _, t in results)
    assert connects >= 700 and len(results) >= 20
    assert statuses == [200] * len(statuses), statuses
    assert times[int(len(times) * 0.9)] < 0.1, times  # 90% within 100 ms on a shared CI machine
    assert times[-1] < 1.0, times


def test_one_address_holds_at_most_max_per_client_connections(tmp_path):
    srv = serve_in_thread(load_config(make_site(tmp_path)), port=0, max_per_client=4, header_timeout=30)
    port = srv.server_address[1]
    held = [socket.create_connection(("127.0.0.1", port), timeout=5, source_address=("127.0.0.2", 0))
            for _ in range(4)]
    try:
        time.sleep(0.2)
        with socket.create_connection(("127.0.0.1", port), timeout=5, source_address=("127.0.0.2", 0)) as s:
            s.sendall(b"GET /rss.xml HTTP/1.1\r\nHost: x\r\n\r\n")
            assert s.recv(1024).startswith(b"HTTP/1.1 503 ")
        assert get(srv, "/rss.xml")[0] == 200  # another address is served
    finally:
        for s in held:
            s.close()
        srv.shutdown()
        srv.server_close()


def test_trickling_headers_are_cut_at_the_header_timeout(tmp_path):
    srv = serve_in_thread(load_config(make_site(tmp_path)), port=0, timeout=5, header_timeout=1)
    try:
        with socket.create_connection(("127.0.0.1", srv.server_address[1]), timeout=5) as s:
            s.sendall(b"GET /rss.xml HTTP/1.1\r\n")
            start, closed = time.monotonic(), False
            while time.monotonic() - start < 4 and not closed:
                try:
                    s.sendall(b"X-Slow: 1\r\n")  # a line every 0.2 s: never silent for long
                    s.settimeout(0.2)
                    closed = s.recv(1024) == b""
                except socket.timeout:
                    continue
                except OSError:
                    closed = True
            assert closed and time.monotonic() - start < 2.5
    finally:
        srv.shutdown()
        srv.server_close()


def test_client_key_counts_ipv6_by_its_64():
    from syndicator.server import client_key

    assert client_key("127.0.0.2") == "127.0.0.2"
    assert client_key("::ffff:127.0.0.2") == "127.0.0.2"
    assert client_key("2001:db8:1:2::5") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::5") != client_key("2001:db8:1:2::5")


# ---------------------------------------------------------------- request bodies (issue 8: no smuggling)

def _responses(srv, request: bytes) -> tuple[list[int], bool]:
    """Send `request` on one connection; the statuses answered and whether the server then closed it."""
    with socket.create_connection(("127.0.0.1", srv.server_address[1]), timeout=3) as s:
        s.sendall(request)
        data, closed = b"", False
        try:
            while chunk := s.recv(65536):
                data += chunk
            closed = True
        except socket.timeout:
            pass
    return [int(m) for m in re.findall(rb"HTTP/1\.1 (\d{3}) ", data)], closed


SMUGGLED = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"


@pytest.mark.parametrize("request_bytes, status", [
    (b"GET /rss.xml HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(SMUGGLED) + SMUGGLED, 200),
    (b"POST /rss.xml HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(SMUGGLED) + SMUGGLED, 405),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n" % len(SMUGGLED) + SMUGGLED
     + b"\r\n0\r\n\r\n", 405),
    (b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED, 200),
])
def test_a_request_body_is_never_read_as_the_next_request(server, request_bytes, status):
    statuses, closed = _responses(server, request_bytes)
    assert statuses == [status] and closed


def test_expect_100_continue_is_not_invited(server):
    statuses, closed = _responses(server, b"POST /rss.xml HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                                          b"Expect: 100-continue\r\n\r\n")
    assert statuses == [405] and closed


def test_keep_alive_still_works_without_a_body(server):
    statuses, _ = _responses(server, b"GET /rss.xml HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
                                     b"GET /atom.xml HTTP/1.1\r\nHost: x\r\n\r\n")
    assert statuses == [200, 200]
