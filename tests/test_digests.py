"""syndicator.digests gives hashlib's digests without hashlib (so without OpenSSL) on the quick paths."""
from __future__ import annotations

import hashlib
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from syndicator import digests


@given(st.binary(max_size=4096), st.integers(1, 64))
def test_the_digests_are_hashlibs(data, size):
    assert digests.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    assert digests.blake2b(data, digest_size=size).hexdigest() == hashlib.blake2b(data, digest_size=size).hexdigest()


def test_the_quick_paths_modules_load_without_hashlib():
    code = ("import sys; import syndicator.build.stamp, syndicator.build.quick_edit, syndicator.config; "
            "print('hashlib' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
