#!/usr/bin/env bash
# Race `syndicator build` against Hugo on the shared corpus (issue 12): calls the shared script,
# never a copy of it. Run from anywhere; needs the project installed in the active venv, hugo
# (apt-get install hugo) and GNU time (apt-get install time).
#
#   bash bench/race.sh [N]          (default N = 10000)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE/.."
# which Python runs `syndicator` (the figures differ by ~10% between builds of CPython: bench/README.md)
command -v syndicator >/dev/null && echo "syndicator: $(command -v syndicator), $(head -n 1 "$(command -v syndicator)")" || true
exec bash "${SHARED:-../shared}/bench/race.sh" "$@"
