import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { checkTemplate } from './template.ts';
import {
  SlackBotCredential,
  SlackWebhookCredential,
  TOOL_CREDENTIAL_SCHEMAS,
  type ToolCredentials,
} from './tool-credentials.ts';
import { isToolKind, type ToolKind } from './tool-kind.ts';
import { TOOL_PARAMS_SCHEMAS, templateFields, type ToolParamsByKind } from './tool-params.ts';

/** One problem, at a JSON pointer relative to the object checked (prefixed when asked). */
export interface FieldError {
  pointer: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Headers a webhook credential may not set: the transport's, and the signature's. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'upgrade',
  'x-cronium-timestamp',
  'x-cronium-signature',
]);

function schemaErrors(schema: TSchema, value: unknown): FieldError[] {
  const errors: FieldError[] = [];
  for (const error of Value.Errors(schema, value)) {
    // A union reports once for itself and once per branch; the branch errors say more.
    if (errors.length >= 20) break;
    errors.push({ pointer: error.path, message: error.message });
  }
  return errors;
}

function urlErrors(pointer: string, url: unknown): FieldError[] {
  if (typeof url !== 'string') return [];
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      return [{ pointer, message: 'must be an http:// or https:// URL' }];
    if (parsed.username || parsed.password)
      return [{ pointer, message: 'must not carry a user name or password; use a header' }];
    return [];
  } catch {
    return [{ pointer, message: 'is not a valid URL' }];
  }
}

function credentialChecks(kind: ToolKind, value: Record<string, unknown>): FieldError[] {
  switch (kind) {
    case 'email': {
      const errors: FieldError[] = [];
      if (value.password !== undefined && value.username === undefined)
        errors.push({ pointer: '/username', message: 'is required when a password is given' });
      return errors;
    }
    case 'slack':
      return urlErrors('/webhookUrl', value.webhookUrl);
    case 'discord':
    case 'teams':
      return urlErrors('/webhookUrl', value.webhookUrl);
    case 'webhook': {
      const errors = urlErrors('/url', value.url);
      for (const name of Object.keys((value.headers as object | undefined) ?? {}))
        if (RESERVED_HEADERS.has(name.toLowerCase()))
          errors.push({
            pointer: `/headers/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`,
            message: 'is set by Cronium and may not be given',
          });
      return errors;
    }
  }
}

/** A kind from outside the typed world (a stored row, a request body) that is not a tool. */
const unknownKind = (kind: unknown): { ok: false; errors: FieldError[] } => ({
  ok: false,
  errors: [
    { pointer: '', message: `unknown tool kind ${JSON.stringify(String(kind)).slice(0, 40)}` },
  ],
});

const prefixed = (errors: FieldError[], prefix: string) =>
  errors.map((e) => ({ pointer: `${prefix}${e.pointer}`, message: e.message }));

/** Checks a credential of `kind`: schema, URLs, reserved headers. */
export function validateToolCredential<K extends ToolKind>(
  kind: K,
  value: unknown,
  options: { pointerPrefix?: string } = {},
): Validation<ToolCredentials[K]> {
  if (!isToolKind(kind)) return unknownKind(kind);
  let schema = TOOL_CREDENTIAL_SCHEMAS[kind];
  // Slack takes one of two shapes: judge the value against the one it is trying to be.
  if (kind === 'slack' && value !== null && typeof value === 'object')
    schema =
      'botToken' in value || 'channel' in value ? SlackBotCredential : SlackWebhookCredential;
  let errors = schemaErrors(schema, value);
  if (errors.length === 0) errors = credentialChecks(kind, value as Record<string, unknown>);
  if (errors.length > 0)
    return { ok: false, errors: prefixed(errors, options.pointerPrefix ?? '') };
  return { ok: true, value: value as ToolCredentials[K] };
}

/** Checks params of `kind`: the schema, then every template field with checkTemplate. */
export function validateToolParams<K extends ToolKind>(
  kind: K,
  value: unknown,
  options: { pointerPrefix?: string } = {},
): Validation<ToolParamsByKind[K]> {
  if (!isToolKind(kind)) return unknownKind(kind);
  const errors = schemaErrors(TOOL_PARAMS_SCHEMAS[kind], value);
  if (errors.length === 0 && kind === 'email') {
    const email = value as { text?: string; html?: string };
    if (email.text === undefined && email.html === undefined)
      errors.push({ pointer: '/text', message: 'text or html (or both) is required' });
  }
  if (errors.length === 0)
    for (const field of templateFields(value as Record<string, unknown>)) {
      const check = checkTemplate(field.source);
      if (!check.ok)
        errors.push({
          pointer: field.pointer,
          message: `${check.message} (line ${check.line}, column ${check.column})`,
        });
    }
  if (errors.length > 0)
    return { ok: false, errors: prefixed(errors, options.pointerPrefix ?? '') };
  return { ok: true, value: value as ToolParamsByKind[K] };
}
