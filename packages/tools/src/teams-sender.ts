import type { TeamsCredential } from './tool-credentials.ts';
import type { TeamsParams } from './tool-params.ts';
import { deliverHttp, failureOf, isAnswer } from './http-delivery.ts';
import { renderField } from './render-field.ts';
import type { SendEnvironment, ToolSender } from './tool-sender.ts';
import { succeeded } from './tool-result.ts';

/**
 * The message a Teams Workflows webhook ("When a Teams webhook request is received" → "Post
 * card in a chat or channel") takes: one Adaptive Card attachment, title in bold above the text.
 */
export function teamsMessage(title: string | undefined, text: string) {
  const body: Record<string, unknown>[] = [];
  if (title)
    body.push({ type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true });
  body.push({ type: 'TextBlock', text, wrap: true });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
        },
      },
    ],
  };
}

/** Teams: `POST <webhookUrl>` with teamsMessage(); a workflow answers 202 Accepted. */
export const teamsSender: ToolSender<'teams'> = {
  kind: 'teams',
  async send(credential: TeamsCredential, params: TeamsParams, env: SendEnvironment) {
    const title = params.title ? await renderField('/title', params.title, env.context) : undefined;
    const text = await renderField('/text', params.text, env.context);
    const secrets = [
      credential.webhookUrl,
      new URL(credential.webhookUrl).pathname,
      new URL(credential.webhookUrl).search,
    ];
    const answer = await deliverHttp(
      {
        url: credential.webhookUrl,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(teamsMessage(title, text)),
        secrets,
      },
      env,
    );
    if (!isAnswer(answer)) return answer;
    if (answer.status >= 200 && answer.status < 300)
      return succeeded(`Teams accepted the message (HTTP ${answer.status})`, answer.status);
    return failureOf(answer, 'Teams', secrets);
  },
};
