import {
  isDestinationNotAllowed,
  type DestinationNotAllowed,
  type EgressPolicy,
  type EgressSubject,
} from './egress-policy.ts';

/**
 * The address to connect to for `host:port`, checked against the policy for one subject;
 * rejects with DestinationNotAllowed. What connectors (the HTTP agent, SSH) call instead of
 * a DNS lookup of their own.
 */
export type DestinationCheck = ((
  host: string,
  port: number,
) => Promise<{ address: string; family: 4 | 6 }>) & {
  /** Whom the check is for (`admin` or `user`): connections kept open are kept per subject. */
  readonly subject: string;
};

/**
 * The policy bound to a subject; `onRefused` hears of each refusal (for the audit log) and
 * is waited for, so the refusal is recorded by the time the connection fails.
 */
export function checkedLookup(
  policy: EgressPolicy,
  subject: EgressSubject,
  onRefused?: (refusal: DestinationNotAllowed) => void | Promise<void>,
): DestinationCheck {
  const check = async (host: string, port: number) => {
    try {
      return await policy.resolve(host, port, subject);
    } catch (error) {
      if (isDestinationNotAllowed(error)) await onRefused?.(error);
      throw error;
    }
  };
  return Object.assign(check, { subject: subject.admin ? 'admin' : 'user' });
}
