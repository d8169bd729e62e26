#!/usr/bin/env bash
# Builds the production image from this checkout and runs its end-to-end test
# (packages/launcher/src/docker-image.image-test.ts) against a real Docker engine. Ends with
# the line `tests: N passed, N failed, N skipped` from Jest's own results.
#   bash docker/test-image.sh            build cronium:latest, then test it
#   CRONIUM_IMAGE=name bash docker/test-image.sh --no-build
set -uo pipefail
cd "$(dirname "$0")/.."
image="${CRONIUM_IMAGE:-cronium:latest}"

if [ "${1:-}" != "--no-build" ]; then
  # Where the engine has no default bridge network (as on Cronium's CI machines), RUN steps
  # use the host's network to reach the package registries.
  network=()
  docker network inspect bridge >/dev/null 2>&1 || network=(--network host)
  echo "[test-image] building $image"
  if ! docker build "${network[@]}" -f docker/Dockerfile -t "$image" .; then
    echo "[test-image] the image did not build"
    echo "tests: 0 passed, 1 failed"
    exit 1
  fi
fi

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
CRONIUM_IMAGE="$image" node --experimental-vm-modules --no-warnings=ExperimentalWarning \
  node_modules/jest/bin/jest.js --config packages/launcher/jest.image.cjs --runInBand \
  --json --outputFile="$results"
status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const failed = r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
  console.log(`tests: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$results" 2>/dev/null || echo "tests: 0 passed, 1 failed (jest wrote no results)"
exit "$status"
