"""sha256, sha1 and blake2b from CPython's built-in modules, without importing hashlib.

`import hashlib` loads OpenSSL's libcrypto (about 4-5 ms): a twentieth of `syndicator build` after
one post was edited, and more on the nothing-changed path, which only hashes a few hundred bytes of
config and a marshal'd list of files. The built-in modules give the same digests (hashlib's own
blake2b is this one); a Python without them falls back to hashlib.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - every CPython build since 3.6 has it
    from hashlib import blake2b
try:
    from _sha2 import sha256  # type: ignore[import-not-found]  # Python 3.12+
except ImportError:
    try:
        from _sha256 import sha256  # type: ignore[import-not-found]  # Python 3.11
    except ImportError:  # pragma: no cover
        from hashlib import sha256

try:
    from _sha1 import sha1  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    from hashlib import sha1

__all__ = ["blake2b", "sha1", "sha256"]
