import type { DiscordCredential } from './tool-credentials.ts';
import type { DiscordParams } from './tool-params.ts';
import { deliverHttp, failureOf, isAnswer } from './http-delivery.ts';
import { renderField } from './render-field.ts';
import type { SendEnvironment, ToolSender } from './tool-sender.ts';
import { failed, succeeded } from './tool-result.ts';

/** Discord's limits on a webhook message (https://discord.com/developers/docs/resources/webhook). */
const MAX_CONTENT = 2000;
const MAX_USERNAME = 80;

/**
 * Discord: `POST <webhookUrl>` with `{content, username?, allowed_mentions: {parse: []}}`;
 * answered 204 No Content.
 */
export const discordSender: ToolSender<'discord'> = {
  kind: 'discord',
  async send(credential: DiscordCredential, params: DiscordParams, env: SendEnvironment) {
    const content = await renderField('/content', params.content, env.context);
    const username = params.username
      ? (await renderField('/username', params.username, env.context)).trim()
      : undefined;
    if (content.length === 0 || content.length > MAX_CONTENT)
      return failed(
        `the rendered content has ${content.length} characters; Discord takes 1 to ${MAX_CONTENT}`,
        false,
      );
    if (username !== undefined && (username.length === 0 || username.length > MAX_USERNAME))
      return failed(
        `the rendered username has ${username.length} characters; Discord takes 1 to ${MAX_USERNAME}`,
        false,
      );
    const secrets = [credential.webhookUrl, new URL(credential.webhookUrl).pathname];
    const answer = await deliverHttp(
      {
        url: credential.webhookUrl,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // No mentions: an @everyone in a rendered value (a log line, an output) pings nobody.
        body: JSON.stringify({
          content,
          ...(username === undefined ? {} : { username }),
          allowed_mentions: { parse: [] },
        }),
        secrets,
      },
      env,
    );
    if (!isAnswer(answer)) return answer;
    if (answer.status >= 200 && answer.status < 300)
      return succeeded(`Discord accepted the message (HTTP ${answer.status})`, answer.status);
    return failureOf(answer, 'Discord', secrets);
  },
};
