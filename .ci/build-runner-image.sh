#!/usr/bin/env bash
# Builds Cronium's runner image (docker/runner), the default image of container events, on
# the local Docker engine, once its base image is there (.ci/provision-docker.sh builds that
# on a machine without a registry). The image is labelled with a hash of docker/runner and of
# the base image's id; when the engine's image has the same label the build is skipped, so a
# rerun takes a second and a new base or Dockerfile always gives a new image.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNNER_TAG="${CRONIUM_RUNNER_IMAGE:-ghcr.io/cronium/runner:1}"
BASE_IMAGE="$(sed -n 's/^FROM[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' docker/runner/Dockerfile | head -n 1)"
SOURCE_LABEL="cronium.runner.source"

say() { echo "[build-runner-image] $*"; }

base_id="$(docker image inspect "$BASE_IMAGE" --format '{{.Id}}' 2>/dev/null)" || {
  say "the base image $BASE_IMAGE is not on this engine (run .ci/provision-docker.sh first)"
  exit 1
}
source_hash="$( (cd docker/runner && find . -type f -print0 | sort -z | xargs -0 sha256sum; echo "$base_id") | sha256sum | cut -c1-64)"

current="$(docker image inspect "$RUNNER_TAG" --format "{{index .Config.Labels \"$SOURCE_LABEL\"}}" 2>/dev/null || true)"
if [ "$current" = "$source_hash" ]; then
  say "$RUNNER_TAG is up to date"
  exit 0
fi

old_id="$(docker image inspect "$RUNNER_TAG" --format '{{.Id}}' 2>/dev/null || true)"
say "building $RUNNER_TAG from $BASE_IMAGE"
# The classic builder: the Dockerfile needs nothing of BuildKit, and a Docker client without
# buildx cannot use BuildKit. RUN steps get the host's network (there may be no bridge).
# Its deprecation notice is shown only with the output of a build that failed.
if ! output="$(DOCKER_BUILDKIT=0 docker build --network host \
  --label "$SOURCE_LABEL=$source_hash" -t "$RUNNER_TAG" docker/runner 2>&1)"; then
  echo "$output" >&2
  say "the build failed"
  exit 1
fi
new_id="$(docker image inspect "$RUNNER_TAG" --format '{{.Id}}')"
# The previous build, now untagged, would only take up disk (in use or tagged elsewhere, it stays).
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then docker image rm "$old_id" >/dev/null 2>&1 || true; fi
say "built $RUNNER_TAG ($(docker image inspect "$RUNNER_TAG" --format '{{.Size}}' | awk '{printf "%d MB", $1 / 1000000}'))"
