import type { DestinationCheck } from '@cronium/egress';
import { FieldTemplateError } from './render-field.ts';
import type { ToolContext } from './tool-context.ts';
import type { ToolCredentials } from './tool-credentials.ts';
import type { ToolKind } from './tool-kind.ts';
import type { ToolParamsByKind } from './tool-params.ts';
import type { ToolSender } from './tool-sender.ts';
import { TOOL_SENDERS } from './tool-senders.ts';
import { failed, type ToolResult } from './tool-result.ts';
import { validateToolCredential, validateToolParams } from './validate-tool-input.ts';

export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;
export const SLACK_API_URL = 'https://slack.com/api';

/** One action: a kind with its credential and params (typed together). */
export type ToolAction = {
  [K in ToolKind]: { kind: K; credential: ToolCredentials[K]; params: ToolParamsByKind[K] };
}[ToolKind];

export type SendToolActionOptions = ToolAction & {
  /** The run the message is about; what templates read. */
  context: ToolContext;
  /**
   * The egress check for the action's owner (what `EgressFor` resolves to for a run, or
   * `checkedLookup(policy, { admin })`): every connection is opened to an address it returned.
   */
  egress: DestinationCheck;
  signal?: AbortSignal;
  /**
   * Default 30 s. HTTP tools: the whole request. Email: each step (connect, greeting, each
   * reply), and the whole send at most three times this.
   */
  timeoutMs?: number;
  /**
   * Extra certificate authorities to trust for SMTP over TLS (a company CA; the tests'
   * self-signed certificate). HTTP tools use the system's CAs (guardedAgent takes no TLS
   * options). Certificates are always verified: there is no way to turn that off.
   */
  trustedCa?: string | Buffer | (string | Buffer)[];
  /** Slack's Web API base URL, default https://slack.com/api (tests use a local server). */
  slackApiUrl?: string;
};

/**
 * Sends one tool action and says how it went; never throws for anything the user can cause
 * (a bad credential, a template error, a refused destination, a failing service). Credential
 * and params are validated again here, since stored values may predate a schema change.
 */
export async function sendToolAction(options: SendToolActionOptions): Promise<ToolResult> {
  const credential = validateToolCredential(options.kind, options.credential);
  if (!credential.ok)
    return failed(`invalid ${options.kind} credential: ${describe(credential.errors)}`, false);
  const params = validateToolParams(options.kind, options.params);
  if (!params.ok)
    return failed(`invalid ${options.kind} params: ${describe(params.errors)}`, false);
  const sender = TOOL_SENDERS[options.kind] as ToolSender<ToolKind>;
  try {
    return await sender.send(credential.value, params.value, {
      context: options.context,
      egress: options.egress,
      signal: options.signal ?? new AbortController().signal,
      timeoutMs: options.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS,
      slackApiUrl: options.slackApiUrl ?? SLACK_API_URL,
      ...(options.trustedCa === undefined ? {} : { trustedCa: options.trustedCa }),
    });
  } catch (error) {
    if (error instanceof FieldTemplateError) return failed(error.message, false);
    throw error;
  }
}

/** Field errors as one line; values are never quoted, so no secret is repeated. */
function describe(errors: { pointer: string; message: string }[]): string {
  return errors.map((e) => `${e.pointer || '/'} ${e.message}`).join('; ');
}
