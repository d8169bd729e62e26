// Kept apart from public-origin.ts, which the web app's API routes import (Next.js bundles
// it): the schema is for the processes' configuration only.
import { env } from './env-schema.ts';
import { servicePortEnv } from './service-address-env.ts';
import { SERVICE_ADDRESSES } from './service-addresses.js';

/** What web and ws read to know their public origin (see `publicOrigin`). */
export const publicOriginEnvSpec = {
  CRONIUM_PUBLIC_URL: env.url({
    protocols: ['http:', 'https:'],
    optional: true,
    description:
      "the URL people open Cronium at, e.g. https://cron.example.com (behind a TLS proxy: the proxy's URL); only pages of this origin may use the session cookie, which is Secure when it is https (default: http://127.0.0.1:WEB_PORT and http://localhost:WEB_PORT)",
  }),
  ...servicePortEnv(SERVICE_ADDRESSES.web, 'port of the UI and REST API'),
};
