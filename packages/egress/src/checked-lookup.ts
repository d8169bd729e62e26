import { DestinationNotAllowed, type EgressPolicy, type EgressSubject } from './egress-policy.ts';

/**
 * The address to connect to for `host:port`, checked against the policy for one subject;
 * rejects with DestinationNotAllowed. What connectors (the HTTP agent, SSH) call instead of
 * a DNS lookup of their own.
 */
export type DestinationCheck = (
  host: string,
  port: number,
) => Promise<{ address: string; family: 4 | 6 }>;

/** The policy bound to a subject; `onRefused` hears of each refusal (for the audit log). */
export function checkedLookup(
  policy: EgressPolicy,
  subject: EgressSubject,
  onRefused?: (refusal: DestinationNotAllowed) => void,
): DestinationCheck {
  return async (host, port) => {
    try {
      return await policy.resolve(host, port, subject);
    } catch (error) {
      if (error instanceof DestinationNotAllowed) onRefused?.(error);
      throw error;
    }
  };
}
