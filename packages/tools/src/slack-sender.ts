import type { SlackCredential } from './tool-credentials.ts';
import type { SlackParams } from './tool-params.ts';
import { deliverHttp, failureOf, isAnswer } from './http-delivery.ts';
import { renderField } from './render-field.ts';
import type { SendEnvironment, ToolSender } from './tool-sender.ts';
import { failed, succeeded, type ToolResult } from './tool-result.ts';

const JSON_UTF8 = 'application/json; charset=utf-8';
/** chat.postMessage errors worth another try (https://api.slack.com/methods/chat.postMessage). */
const RETRYABLE_API_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/**
 * Slack: an incoming webhook (`POST <webhookUrl>` with `{"text"}`, answered `200 ok`), or a
 * bot token (`POST chat.postMessage` with `Authorization: Bearer`, `{channel, text}`, answered
 * `{"ok": true|false, "error"?}` with HTTP 200 either way). Values are escaped for mrkdwn.
 */
export const slackSender: ToolSender<'slack'> = {
  kind: 'slack',
  async send(credential: SlackCredential, params: SlackParams, env: SendEnvironment) {
    const text = await renderField('/text', params.text, env.context, { escape: 'slack' });
    if ('webhookUrl' in credential) {
      const secrets = [credential.webhookUrl, new URL(credential.webhookUrl).pathname];
      const answer = await deliverHttp(
        {
          url: credential.webhookUrl,
          method: 'POST',
          headers: { 'content-type': JSON_UTF8 },
          body: JSON.stringify({ text }),
          secrets,
        },
        env,
      );
      if (!isAnswer(answer)) return answer;
      if (answer.status >= 200 && answer.status < 300)
        return succeeded(`Slack accepted the message (HTTP ${answer.status})`, answer.status);
      return failureOf(answer, 'Slack', secrets);
    }
    const channel = params.channel
      ? await renderField('/channel', params.channel, env.context)
      : credential.channel;
    return postMessage(credential.botToken, channel.trim(), text, env);
  },
};

async function postMessage(
  token: string,
  channel: string,
  text: string,
  env: SendEnvironment,
): Promise<ToolResult> {
  const secrets = [token];
  const answer = await deliverHttp(
    {
      url: `${env.slackApiUrl.replace(/\/$/, '')}/chat.postMessage`,
      method: 'POST',
      headers: { 'content-type': JSON_UTF8, authorization: `Bearer ${token}` },
      body: JSON.stringify({ channel, text }),
      secrets,
    },
    env,
  );
  if (!isAnswer(answer)) return answer;
  if (answer.status < 200 || answer.status >= 300) return failureOf(answer, 'Slack', secrets);
  let reply: { ok?: unknown; error?: unknown; channel?: unknown; ts?: unknown };
  try {
    reply = JSON.parse(answer.body) as typeof reply;
  } catch {
    return failed(`Slack answered HTTP ${answer.status} with a body that is not JSON`, true, {
      status: answer.status,
    });
  }
  if (reply.ok === true)
    return succeeded(
      `posted to ${String(reply.channel ?? channel)} (ts ${String(reply.ts ?? '?')})`,
      answer.status,
    );
  const code = typeof reply.error === 'string' ? reply.error.slice(0, 100) : 'unknown_error';
  return failed(`Slack chat.postMessage failed: ${code}`, RETRYABLE_API_ERRORS.has(code), {
    status: answer.status,
  });
}
