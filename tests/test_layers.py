"""The architecture's layers, checked by import-linter with the contracts in .importlinter."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / ".importlinter"


def test_import_contracts_hold():
    # lint-imports is the tool's own command; its exit status is 0 only when every contract is kept.
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
         "sys.exit(lint_imports_command())", str(CONTRACTS), "--no-cache"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken" in result.stdout


def test_the_contracts_the_issue_asks_for_are_configured():
    parser = configparser.ConfigParser()
    parser.read(CONTRACTS)
    forbidden = {name: (set(parser[name]["source_modules"].split()), set(parser[name]["forbidden_modules"].split()))
                 for name in parser.sections() if name.startswith("importlinter:contract:")}
    below = forbidden["importlinter:contract:core-stays-below"]
    assert {"syndicator.model", "syndicator.config", "syndicator.errors", "syndicator.posts",
            "syndicator.render"} <= below[0]
    assert {"syndicator.crosspost.ledger", "syndicator.endpoints", "syndicator.daemon", "syndicator.server",
            "syndicator.cli"} <= below[1]
    endpoints = forbidden["importlinter:contract:endpoints-below-crosspost"]
    assert endpoints[0] == {"syndicator.endpoints"}
    assert {"syndicator.crosspost.ledger", "syndicator.crosspost.runner"} <= endpoints[1]
    top = forbidden["importlinter:contract:cli-on-top"]
    packages = {f"syndicator.{p.stem if p.is_file() else p.name}" for p in (ROOT / "syndicator").iterdir()
                if (p.suffix == ".py" and p.stem not in ("__init__", "__main__")) or (p / "__init__.py").is_file()}
    assert top[1] == {"syndicator.cli"}
    missing = packages - {"syndicator.cli"} - top[0]
    assert not missing, f"add {sorted(missing)} to the cli-on-top contract's source_modules in .importlinter"
