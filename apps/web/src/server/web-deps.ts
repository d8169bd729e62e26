import type { LoginThrottle } from '@cronium/accounts';
import type { SecretBox } from '@cronium/crypto';
import type { Db } from '@cronium/db';
import type { EgressPolicy } from '@cronium/egress';
import type { Logger } from '@cronium/logger';
import type { OwnerLimits } from '@cronium/event-service/owner-limits';
import type { WebhookRateLimiter } from '@cronium/event-service';
import type { PublicOrigin } from '@cronium/service-kit';
import type { CorsPolicy } from '../api/cors.ts';

/**
 * What Next.js route handlers and server components may use. Next compiles them into their
 * own module graph, so the composition root (main.ts) hands the dependencies over once
 * through a process-wide symbol instead of a module-level singleton that would not be shared.
 */
export interface WebDeps {
  db: Db;
  logger: Logger;
  version: string;
  /** Failed sign-ins per email and address, for this process. */
  loginThrottle: LoginThrottle;
  /** Encrypts secret values (variables) at rest with the installation's master key. */
  box: SecretBox;
  /** Where the SSH scan and test may connect for a requester. */
  egress: EgressPolicy;
  /** SSH scans and tests per user (a sliding window, per web process). */
  serverProbes: LoginThrottle;
  /** What one non-admin user may take (M2). */
  ownerLimits: OwnerLimits;
  /** Triggers per user per minute (every trigger counts, webhook deliveries too). */
  triggers: LoginThrottle;
  /** Deliveries per webhook per minute, each hook with its own limit (per web process). */
  hookDeliveries: WebhookRateLimiter;
  /** Setup and invitation attempts per client address (every attempt counts). */
  signedOutAttempts: LoginThrottle;
  /** Which pages may use the session cookie, and whether it is Secure. */
  publicOrigin: PublicOrigin;
  /** Which other origins' pages may call the API with a token. */
  cors: CorsPolicy;
  /**
   * What creating the first admin needs besides the form: a token, when the web process
   * listens beyond loopback (anyone who reaches it could otherwise take the installation).
   */
  setupToken: { token: string; file?: string } | undefined;
}

const KEY = Symbol.for('cronium.web.deps');

export function provideWebDeps(deps: WebDeps): void {
  (globalThis as Record<symbol, unknown>)[KEY] = deps;
}

export function webDeps(): WebDeps {
  const deps = (globalThis as Record<symbol, unknown>)[KEY] as WebDeps | undefined;
  if (!deps)
    throw new Error('web dependencies are not provided: start the web app through src/main.ts');
  return deps;
}
