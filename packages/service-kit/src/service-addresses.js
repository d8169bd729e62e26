// Where each of the four processes listens unless told otherwise, and the variables that move
// it. This is the one definition: the apps' configuration schemas take their defaults and
// variable names from it (service-address-env.ts), `npm start` (packages/launcher/bin/cronium.mjs)
// waits for the `/ready` URLs it gives, and so does the image's health check
// (docker/healthcheck.mjs). Plain JavaScript with no imports, because the launcher and the
// health check load it without a TypeScript step (Node.js 22.12 to 22.17 cannot strip types);
// `.js` rather than `.mjs` (the package is ESM either way) so that Jest's SWC transform
// compiles it like the TypeScript that imports it. Types: service-addresses.d.ts.

/** Every process listens on loopback only unless its `*_HOST` says otherwise. */
export const DEFAULT_HOST = '127.0.0.1';

/** In the order `npm start` waits for them (and reports those not ready). */
export const SERVICE_ADDRESSES = Object.freeze({
  web: Object.freeze({ hostVariable: 'WEB_HOST', portVariable: 'WEB_PORT', defaultPort: 3000 }),
  orchestrator: Object.freeze({
    hostVariable: 'ORCHESTRATOR_HOST',
    portVariable: 'ORCHESTRATOR_PORT',
    defaultPort: 3003,
  }),
  runtimeApi: Object.freeze({
    hostVariable: 'RUNTIME_API_HOST',
    portVariable: 'RUNTIME_API_PORT',
    defaultPort: 3001,
  }),
  ws: Object.freeze({ hostVariable: 'WS_HOST', portVariable: 'WS_PORT', defaultPort: 3002 }),
});

/**
 * The base URL this machine reaches a process at, from the variables its schema reads: unset
 * or blank means the default (as `parseEnv` has it), and a process listening on every IPv4
 * address (`0.0.0.0`) is reached on 127.0.0.1.
 */
export function localServiceUrl(address, env) {
  const host = env[address.hostVariable]?.trim() || DEFAULT_HOST;
  const port = env[address.portVariable]?.trim() || String(address.defaultPort);
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
}

/** The `/ready` URL of each of the four processes, in the order of SERVICE_ADDRESSES. */
export function readyUrls(env) {
  return Object.values(SERVICE_ADDRESSES).map(
    (address) => `${localServiceUrl(address, env)}/ready`,
  );
}
