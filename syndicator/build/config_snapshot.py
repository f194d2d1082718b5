"""The config as loaded, kept in the quick stamp, so that `syndicator build` after an edit need not load it again
(issue 12).

config.load reads TOML, checks every section and renders each author's bio (Markdown): a tenth of
an edit's time, for the same Config every time the file's bytes are the same. The quick stamp
(stamp.py) is left only for a config whose fingerprint is its bytes alone, and answers only while
those bytes, the file's path and the program (code.py) are the ones that made it: then the Config
unpickled here is the one config.load would return (tests/test_config_snapshot.py).
Standard library only: config.py's modules load when the snapshot is read.
"""

from __future__ import annotations

import io
import pickle
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from ..config import Config


def dumps(config: Config) -> bytes:
    """The config, pickled (a read-only mapping as one: crosspost_settings keeps the endpoints' options so)."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {MappingProxyType: _reduce_proxy}
    pickler.dump(config)
    return out.getvalue()


def loads(data: bytes) -> Config:
    """The config dumps() pickled."""
    return pickle.loads(data)


def _reduce_proxy(proxy: Mapping[str, Any]) -> tuple[Any, tuple[dict[str, Any]]]:
    return read_only, (dict(proxy),)


def read_only(table: dict[str, Any]) -> Mapping[str, Any]:
    """A read-only view of `table` (what a pickled MappingProxyType is loaded as)."""
    return MappingProxyType(table)
