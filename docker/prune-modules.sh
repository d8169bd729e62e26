#!/bin/sh
# Removes from the image's production node_modules what nothing loads at run time: source
# maps and type declarations; the test transform that the shared tooling package brings
# (@swc/jest, @swc/core); Next.js's build-time compilers and image optimiser, its ESM build
# (the server loads the CommonJS one), its development runtimes and overlay (the image never
# runs `next dev`), the Turbopack and experimental-React variants of its runtimes (the app is
# built with webpack, without experimental React features), its Open Graph image renderer
# and its bundled docs. The image's end-to-end test (npm run test:image) checks that pages,
# routes and every process still work without them.
set -eu
cd "${1:-/app}/node_modules/.pnpm"
find . -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete
rm -rf @next+swc-* @img+sharp-* @img+colour* @swc+core* @swc+jest*
for next in next@*/node_modules/next; do
  rm -rf "$next/dist/docs" "$next/dist/esm" "$next/dist/compiled/next-devtools" \
    "$next/dist/compiled/@vercel/og" "$next/dist/compiled/react-dom-experimental"
  rm -rf "$next"/dist/compiled/react-server-dom-*-experimental \
    "$next"/dist/compiled/react-server-dom-turbopack*
  find "$next/dist/compiled/next-server" \
    \( -name '*.runtime.dev.js' -o -name '*turbo*' -o -name '*experimental*' \) -delete
done
