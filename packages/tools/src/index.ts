export { TOOL_KINDS, ToolKind, isToolKind } from './tool-kind.ts';
export {
  EmailCredential,
  SlackCredential,
  SlackWebhookCredential,
  SlackBotCredential,
  DiscordCredential,
  TeamsCredential,
  WebhookCredential,
  TOOL_CREDENTIAL_SCHEMAS,
  type ToolCredentials,
  type ToolCredential,
} from './tool-credentials.ts';
export {
  EmailParams,
  SlackParams,
  DiscordParams,
  TeamsParams,
  WebhookParams,
  TOOL_PARAMS_SCHEMAS,
  type ToolParamsByKind,
  type ToolParams,
} from './tool-params.ts';
export { ToolContext, TOOL_CONTEXT_ROOTS } from './tool-context.ts';
export {
  validateToolCredential,
  validateToolParams,
  type FieldError,
  type Validation,
} from './validate-tool-input.ts';
export {
  checkTemplate,
  renderTemplate,
  TEMPLATE_LIMITS,
  type TemplateCheck,
  type TemplateEscape,
  type TemplateLimits,
  type RenderOptions,
} from './template.ts';
export { TemplateError } from './template-error.ts';
export {
  sendToolAction,
  DEFAULT_TOOL_TIMEOUT_MS,
  SLACK_API_URL,
  type SendToolActionOptions,
  type ToolAction,
} from './send-tool-action.ts';
export {
  parseRetryAfter,
  MAX_RETRY_AFTER_MS,
  type ToolResult,
  type ToolSuccess,
  type ToolFailure,
} from './tool-result.ts';
export { signWebhook, verifyWebhookSignature } from './webhook-signature.ts';
export { teamsMessage } from './teams-sender.ts';
