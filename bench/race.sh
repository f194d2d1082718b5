#!/usr/bin/env bash
# Race `syndicator build` against Hugo on the shared corpus (issue 12): calls the shared script,
# never a copy of it. Run from anywhere; needs the project installed in the active venv, hugo
# (apt-get install hugo) and GNU time (apt-get install time).
#
#   bash bench/race.sh [N]          (default N = 10000)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE/.."
# Which Python runs `syndicator` (the figures differ by ~5% between builds of CPython: bench/README.md);
# and the package's byte code compiled with it first, as pip compiles an installed package: an editable
# install run with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module on every build.
if command -v syndicator >/dev/null; then
  python_line="$(head -n 1 "$(command -v syndicator)" | sed 's/^#! *//')"
  echo "syndicator: $(command -v syndicator), on $python_line"
  $python_line -m compileall -q syndicator >/dev/null || true
fi
exec bash "${SHARED:-../shared}/bench/race.sh" "$@"
