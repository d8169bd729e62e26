#!/usr/bin/env bash
# Makes a real sshd available for the SSH executor's tests: installs openssh-server from
# Debian when missing (without letting the package start a system-wide sshd on port 22) and
# creates the unprivileged login the tests use. The tests start their own private sshd on a
# loopback port, with host keys and authorized keys they generate, and stop it themselves.
set -euo pipefail

SSH_USER="${CRONIUM_TEST_SSH_USER:-cronium-ssh}"
say() { echo "[provision-sshd] $*"; }

if ! [ -x /usr/sbin/sshd ] || ! command -v ssh >/dev/null 2>&1 || ! command -v ssh-keygen >/dev/null 2>&1; then
  say "installing openssh-server and openssh-client from Debian"
  policy=/usr/sbin/policy-rc.d
  had_policy=0; [ -e "$policy" ] && had_policy=1
  [ "$had_policy" -eq 1 ] || printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssh-client >/dev/null
  [ "$had_policy" -eq 1 ] || rm -f "$policy"
fi
mkdir -p /run/sshd && chmod 0755 /run/sshd

if ! id "$SSH_USER" >/dev/null 2>&1; then
  say "creating the test login $SSH_USER"
  useradd --create-home --shell /bin/bash "$SSH_USER"
fi
# A locked password ("!") makes sshd refuse even key logins when UsePAM is off; "*" only
# disables password logins until a test sets one.
usermod -p '*' "$SSH_USER"
say "sshd $(/usr/sbin/sshd -V 2>&1 | head -n 1), login $SSH_USER"
