import { Agent, buildConnector } from 'undici';
import type { DestinationCheck } from '../checked-lookup.ts';

/**
 * An undici Agent whose every connection goes to an address the check returned: the check
 * resolves and judges the host when the socket is opened (the first request, each redirect
 * hop, each reconnect), and the socket is opened to that very address. TLS still verifies
 * the certificate against the host name (SNI and identity come from the URL's host).
 */
export function guardedAgent(
  check: DestinationCheck,
  options: { connectTimeoutMs?: number } = {},
): Agent {
  const connect = buildConnector({ timeout: options.connectTimeoutMs ?? 10_000 });
  return new Agent({
    connect: (target, callback) => {
      const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
      check(target.hostname, port).then(
        ({ address }) => connect({ ...target, hostname: address }, callback),
        (error: Error) => callback(error, null),
      );
    },
  });
}
