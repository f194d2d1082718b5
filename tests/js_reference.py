"""Run the platforms' own JavaScript libraries (tests/js, installed by `npm ci`) from tests."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

JS = Path(__file__).parent / "js"


def require_node_modules() -> None:
    """Skip, saying how to install, when node or tests/js/node_modules is missing."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed (the README's test command installs nodejs and npm)")
    if not (JS / "node_modules" / "twitter-text").is_dir():
        pytest.skip("tests/js/node_modules missing: run `npm ci --prefix tests/js`")


def run_js(script: str, payload: Any) -> Any:
    """Feed JSON to tests/js/<script> on stdin and return its JSON answer."""
    done = subprocess.run(["node", str(JS / script)], input=json.dumps(payload), text=True,
                          capture_output=True, check=True, timeout=600)
    return json.loads(done.stdout)
