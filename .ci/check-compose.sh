#!/usr/bin/env bash
# Validates the Compose files at the repository root, alone and in the combinations the docs
# give, with `docker-compose -f FILE ... config -q` (Compose v1 from Debian, installed when
# missing; no engine is needed, nothing is pulled or started). Variables come from
# .env.example, so every variable a file requires must be there; the machine's own
# environment and any .env are left out. Also checks that a file refuses to render without
# its required secrets. Prints one line per check and exits non-zero when any fails.
#
#   bash .ci/check-compose.sh
set -uo pipefail
cd "$(dirname "$0")/.."
say() { echo "[check-compose] $*"; }

if ! command -v docker-compose >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    say "docker-compose is missing and installing it needs root (apt-get install docker-compose)"
    exit 1
  fi
  say "installing docker-compose from Debian"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null ||
    { say "could not install docker-compose"; exit 1; }
fi
say "$(docker-compose version --short 2>/dev/null || docker-compose version | head -n 1)"

# .env.example leaves the metrics token empty (monitoring is optional); the monitoring file
# requires one, so its combinations get a value here.
token=check-compose-metrics-token
empty_env=$(mktemp)
trap 'rm -f "$empty_env"' EXIT
failures=0
checks=0

# compose ENV_FILE EXTRA_ENV ARGS... : docker-compose in a clean environment
compose() {
  local env_file=$1 extra=$2
  shift 2
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" $extra docker-compose --env-file "$env_file" "$@"
}

valid() { # DESCRIPTION EXTRA_ENV ARGS...
  local what=$1 extra=$2 output
  shift 2
  checks=$((checks + 1))
  if output=$(compose .env.example "$extra" "$@" config -q 2>&1); then
    say "ok      $what"
  else
    failures=$((failures + 1))
    say "FAILED  $what: docker-compose $* config -q"
    printf '%s\n' "$output" | sed 's/^/    /'
  fi
}

refused() { # DESCRIPTION EXPECTED_TEXT ARGS... : must not render without the variables
  local what=$1 expected=$2 output
  shift 2
  checks=$((checks + 1))
  if output=$(compose "$empty_env" "" "$@" config -q 2>&1); then
    failures=$((failures + 1))
    say "FAILED  $what: rendered without its required variables"
  elif ! grep -q "$expected" <<<"$output"; then
    failures=$((failures + 1))
    say "FAILED  $what: refused, but not for $expected:"
    printf '%s\n' "$output" | sed 's/^/    /'
  else
    say "ok      $what"
  fi
}

for file in docker-compose.yml docker-compose.stack.yml docker-compose.dev.yml docker-compose.monitoring.yml; do
  [ -f "$file" ] || { failures=$((failures + 1)); say "FAILED  $file is missing"; }
done
[ -f .env.example ] || { say "FAILED  .env.example is missing"; exit 1; }

valid "docker-compose.yml" "" -f docker-compose.yml
valid "docker-compose.stack.yml" "" -f docker-compose.stack.yml
valid "docker-compose.stack.yml --profile valkey" "" -f docker-compose.stack.yml --profile valkey
valid "docker-compose.dev.yml" "" -f docker-compose.dev.yml
valid "docker-compose.yml + monitoring" "CRONIUM_METRICS_TOKEN=$token" -f docker-compose.yml -f docker-compose.monitoring.yml
valid "docker-compose.stack.yml + monitoring" "CRONIUM_METRICS_TOKEN=$token" -f docker-compose.stack.yml -f docker-compose.monitoring.yml
valid "docker-compose.stack.yml --profile valkey + monitoring" "CRONIUM_METRICS_TOKEN=$token" -f docker-compose.stack.yml -f docker-compose.monitoring.yml --profile valkey
valid "docker-compose.dev.yml + monitoring" "CRONIUM_METRICS_TOKEN=$token" -f docker-compose.dev.yml -f docker-compose.monitoring.yml

refused "docker-compose.yml without secrets" CRONIUM_ENCRYPTION_KEY -f docker-compose.yml
refused "docker-compose.stack.yml without secrets" CRONIUM_ENCRYPTION_KEY -f docker-compose.stack.yml
checks=$((checks + 1))
if output=$(compose .env.example "" -f docker-compose.yml -f docker-compose.monitoring.yml config -q 2>&1); then
  failures=$((failures + 1))
  say "FAILED  monitoring without CRONIUM_METRICS_TOKEN: rendered"
elif grep -q CRONIUM_METRICS_TOKEN <<<"$output"; then
  say "ok      monitoring without CRONIUM_METRICS_TOKEN is refused"
else
  failures=$((failures + 1))
  say "FAILED  monitoring without CRONIUM_METRICS_TOKEN: refused for another reason:"
  printf '%s\n' "$output" | sed 's/^/    /'
fi

if [ "$failures" -gt 0 ]; then
  say "$failures of $checks checks failed"
  exit 1
fi
say "all $checks checks passed"
