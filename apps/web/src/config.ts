import { isIP } from 'node:net';
import { env, loadServiceConfig, type BaseConfig } from '@cronium/service-kit';

/** A comma-separated list of IP addresses and CIDR ranges (IPv4 or IPv6). */
const TRUSTED_PROXIES = {
  test: (raw: string) =>
    raw.split(',').every((entry) => {
      const [address, bits, ...rest] = entry.trim().split('/');
      const family = isIP(address ?? '');
      if (family === 0 || rest.length > 0) return false;
      if (bits === undefined) return true;
      return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
    }),
};

export const webEnvSpec = {
  WEB_HOST: env.string({
    default: '127.0.0.1',
    description: 'listen address of the UI and REST API (0.0.0.0 in the Docker image)',
  }),
  WEB_PORT: env.port({ default: 3000, description: 'port of the UI and REST API' }),
  WEB_TRUSTED_PROXIES: env.string({
    optional: true,
    pattern: TRUSTED_PROXIES,
    patternHint: 'comma-separated IP addresses or CIDR ranges, such as 127.0.0.1,10.0.0.0/8',
    description:
      'reverse proxies whose X-Forwarded-For is believed for the client address (audit log, sign-in throttle); none by default',
  }),
  WEB_SHUTDOWN_GRACE_MS: env.integer({
    default: 10_000,
    min: 0,
    max: 600_000,
    description: 'how long open requests may finish after SIGTERM',
  }),
};

export interface WebConfig {
  base: BaseConfig;
  host: string;
  port: number;
  shutdownGraceMs: number;
  /** Proxies whose X-Forwarded-For is believed; empty: the connecting address is the client's. */
  trustedProxies: string[];
}

export function loadConfig(source: Record<string, string | undefined>): WebConfig {
  const { base, app } = loadServiceConfig(webEnvSpec, source, ['encryptionKey']);
  return {
    base,
    host: app.WEB_HOST,
    port: app.WEB_PORT,
    shutdownGraceMs: app.WEB_SHUTDOWN_GRACE_MS,
    trustedProxies: (app.WEB_TRUSTED_PROXIES ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  };
}
