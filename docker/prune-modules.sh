#!/bin/sh
# Removes from the image's production node_modules what nothing loads at run time: source
# maps and type declarations, Next.js's build-time compilers and image optimiser, its ESM
# build (the server loads the CommonJS one), its development runtimes (the image never runs
# `next dev`) and its bundled docs. The image's end-to-end test (npm run test:image) checks
# that every page, route and process still works without them.
set -eu
cd "${1:-/app}/node_modules/.pnpm"
find . -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete
rm -rf @next+swc-* @img+sharp-* @img+colour*
for next in next@*/node_modules/next; do
  rm -rf "$next/dist/docs" "$next/dist/esm"
  find "$next/dist/compiled/next-server" -name '*.runtime.dev.js' -delete
done
