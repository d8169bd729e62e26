import { discordSender } from './discord-sender.ts';
import { emailSender } from './email-sender.ts';
import { slackSender } from './slack-sender.ts';
import { teamsSender } from './teams-sender.ts';
import type { ToolKind } from './tool-kind.ts';
import type { ToolSender } from './tool-sender.ts';
import { webhookSender } from './webhook-sender.ts';

/** The one place tools are registered: a new tool is a sender file and a line here. */
export const TOOL_SENDERS: { [K in ToolKind]: ToolSender<K> } = {
  email: emailSender,
  slack: slackSender,
  discord: discordSender,
  teams: teamsSender,
  webhook: webhookSender,
};
