#!/usr/bin/env bash
# Makes a Valkey-protocol server answer on 127.0.0.1:6379 for the suite's second pass (CI
# runs every test once without Valkey and once with it). Uses the machine's Redis 7 when it
# is running, starts it when installed, installs it from Debian when missing. Tests that
# kill Valkey start a private server of their own instead of touching this one.
set -euo pipefail
say() { echo "[provision-valkey] $*"; }

ping() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && timeout 2 head -c 5 <&3 | grep -q PONG) 2>/dev/null; }

if ping; then say "a server answers on 127.0.0.1:6379"; exit 0; fi
if ! command -v redis-server >/dev/null 2>&1 && ! command -v valkey-server >/dev/null 2>&1; then
  say "installing redis-server from Debian"
  policy=/usr/sbin/policy-rc.d
  had_policy=0; [ -e "$policy" ] && had_policy=1
  [ "$had_policy" -eq 1 ] || printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  [ "$had_policy" -eq 1 ] || rm -f "$policy"
fi
server=$(command -v valkey-server || command -v redis-server)
mkdir -p /var/lib/redis /var/log/redis
say "starting $server on 127.0.0.1:6379 (nothing kept on disk)"
"$server" --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
for _ in $(seq 1 50); do ping && exit 0; sleep 0.1; done
say "the server did not answer"; exit 1
