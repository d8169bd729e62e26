#!/usr/bin/env bash
# The local executor's sandbox: bubblewrap (optional for users, detected at start; the tests
# run local scripts both with it and without it, so CI installs it) and setpriv (util-linux).
set -euo pipefail
say() { echo "[provision-sandbox] $*"; }
if ! command -v bwrap >/dev/null 2>&1; then
  say "installing bubblewrap from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
fi
command -v setpriv >/dev/null 2>&1 || { say "setpriv (util-linux) is missing"; exit 1; }
say "$(bwrap --version)"
