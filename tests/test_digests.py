"""syndicator.digests gives hashlib's digests without hashlib (so without OpenSSL) on the quick paths, and a
cold build's start (before its workers fork) loads neither hashlib, the email package nor lxml."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from syndicator import digests

ROOT = Path(__file__).resolve().parent.parent


@given(st.binary(max_size=4096), st.integers(1, 64))
def test_the_digests_are_hashlibs(data, size):
    assert digests.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    assert digests.sha1(data).hexdigest() == hashlib.sha1(data).hexdigest()
    assert digests.blake2b(data, digest_size=size).hexdigest() == hashlib.blake2b(data, digest_size=size).hexdigest()


def test_the_quick_paths_modules_load_without_hashlib():
    code = ("import sys; import syndicator.build.stamp, syndicator.build.quick_edit, syndicator.config; "
            "print('hashlib' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_cold_builds_modules_load_without_hashlib_email_lxml_or_multiprocessing():
    """What a cold `syndicator build` imports before it forks its workers (the command line, the build, the
    pipeline, the writers): the feed writers format dates and feed ids themselves, OPML is written as text,
    the workers' pipes are build/channel.py's (multiprocessing would load tempfile, subprocess and socket)."""
    code = ("import sys; import syndicator.cli.app, syndicator.build.entry, syndicator.build.pipeline, "
            "syndicator.render, syndicator.build.emit; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('hashlib', 'email', 'lxml', 'multiprocessing', 'tempfile', 'subprocess', 'socket')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_whole_build_never_loads_lxml(tmp_path):
    """The bundled example built from scratch (its posts, feeds in three formats and OPML) without lxml:
    every writer writes text (render/xmltext.py; tests/render_reference.py keeps lxml as their reference)."""
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    shutil.copytree(ROOT / "posts", tmp_path / "posts")
    code = ("import sys; from datetime import datetime, timezone; from syndicator.config import load; "
            "from syndicator.build import build; report = build(load('config.toml'), now=datetime.now(timezone.utc)); "
            "print(len(report.written), 'lxml' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    written, lxml = result.stdout.split()
    assert int(written) > 10 and (tmp_path / "feeds" / "feeds.opml").exists() and lxml == "False"
