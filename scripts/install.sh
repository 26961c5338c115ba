#!/usr/bin/env bash
# Installs everything Marionette needs on Debian 12 with Node 20, as root (or with sudo):
# system packages from apt, then the npm dependencies (npm ci also builds dist/ via `prepare`).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

need_apt=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need_apt+=(ffmpeg)
# Chromium drives the playground's browser test; only the test suite needs it.
if [ "${MARIONETTE_INSTALL_BROWSER:-0}" = "1" ] && ! command -v chromium >/dev/null 2>&1; then
  need_apt+=(chromium)
fi
# Postgres and Redis: the scale-out backends (MARIONETTE_DATABASE_URL, MARIONETTE_REDIS_URL); the test suite
# starts throwaway instances of both, so CI needs the binaries even though the embedded default uses neither.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need_apt+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

npm ci --no-audit --no-fund
