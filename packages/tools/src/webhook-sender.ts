import type { WebhookCredential } from './tool-credentials.ts';
import type { WebhookParams } from './tool-params.ts';
import { deliverHttp, failureOf, isAnswer } from './http-delivery.ts';
import { renderField } from './render-field.ts';
import type { SendEnvironment, ToolSender } from './tool-sender.ts';
import { succeeded } from './tool-result.ts';
import { signWebhook } from './webhook-signature.ts';

/**
 * A generic webhook: the credential's method, URL and headers, the rendered body (the run
 * context as JSON when the action has no body template), and with a signing secret the
 * `X-Cronium-Timestamp` / `X-Cronium-Signature` headers (see webhook-signature.ts).
 */
export const webhookSender: ToolSender<'webhook'> = {
  kind: 'webhook',
  async send(credential: WebhookCredential, params: WebhookParams, env: SendEnvironment) {
    const body =
      params.body === undefined
        ? JSON.stringify(env.context)
        : await renderField('/body', params.body, env.context);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(credential.headers ?? {}))
      headers[name.toLowerCase()] = value;
    headers['content-type'] = params.contentType ?? headers['content-type'] ?? 'application/json';
    if (credential.signingSecret) {
      const timestamp = Math.floor(Date.now() / 1000);
      headers['x-cronium-timestamp'] = String(timestamp);
      headers['x-cronium-signature'] = signWebhook(credential.signingSecret, timestamp, body);
    }
    // A receiver's URL often carries a token in its path or query: never quoted either.
    const { pathname, search } = new URL(credential.url);
    const secrets = [
      credential.url,
      pathname.length > 1 ? pathname : undefined,
      search,
      credential.signingSecret,
      ...Object.values(credential.headers ?? {}),
    ];
    const answer = await deliverHttp(
      { url: credential.url, method: credential.method, headers, body, secrets },
      env,
    );
    if (!isAnswer(answer)) return answer;
    if (answer.status >= 200 && answer.status < 300)
      return succeeded(`the webhook answered HTTP ${answer.status}`, answer.status);
    return failureOf(answer, 'the webhook', secrets);
  },
};
