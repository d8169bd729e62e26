import type { DestinationCheck } from '@cronium/egress';
import type { ToolCredentials } from './tool-credentials.ts';
import type { ToolKind } from './tool-kind.ts';
import type { ToolParamsByKind } from './tool-params.ts';
import type { ToolContext } from './tool-context.ts';
import type { ToolResult } from './tool-result.ts';

/** What every sender gets besides the credential and params. */
export interface SendEnvironment {
  context: ToolContext;
  /** The egress check for the action's owner: every connection is opened through it. */
  egress: DestinationCheck;
  /** Aborts the send (cancel, shutdown); the deadline of timeoutMs is added to it. */
  signal: AbortSignal;
  timeoutMs: number;
  /** Extra certificate authorities to trust for SMTP (a private CA, the tests' self-signed one). */
  trustedCa?: string | Buffer | (string | Buffer)[];
  /** Where Slack's Web API is (tests point it at a local server). */
  slackApiUrl: string;
}

/** One tool: renders its params into the service's payload and sends it. */
export interface ToolSender<K extends ToolKind> {
  readonly kind: K;
  send(
    credential: ToolCredentials[K],
    params: ToolParamsByKind[K],
    environment: SendEnvironment,
  ): Promise<ToolResult>;
}
