#!/usr/bin/env bash
# Makes a real Chromium available for the web UI's browser tests: Debian's `chromium` package
# (/usr/bin/chromium). The tests drive it with playwright-core; no browser is downloaded
# (`npx playwright install` needs the internet, which these machines do not have).
set -euo pipefail
say() { echo "[provision-chromium] $*"; }

if ! [ -x /usr/bin/chromium ]; then
  say "installing chromium from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
say "$(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
