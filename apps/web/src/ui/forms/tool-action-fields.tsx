'use client';
import { Alert, Anchor, Select, Stack, TextInput, Textarea } from '@mantine/core';
import Link from 'next/link';
import { useResource } from '../use-resource.ts';

export type ToolKind = 'email' | 'slack' | 'discord' | 'teams' | 'webhook';

/** A tool action as a form edits it: the credential and each param as text. */
export interface ToolActionValue {
  credentialId: string | null;
  params: Record<string, string>;
}

interface Credential {
  id: number;
  kind: ToolKind;
  name: string;
}

/** The text fields of each kind's params (every one a template), in the order shown. */
const FIELDS: Record<ToolKind, { key: string; label: string; long?: boolean; hint?: string }[]> = {
  email: [
    { key: 'to', label: 'To', hint: 'Addresses, separated by commas' },
    { key: 'subject', label: 'Subject' },
    { key: 'text', label: 'Text', long: true },
  ],
  slack: [{ key: 'text', label: 'Text', long: true }],
  discord: [{ key: 'content', label: 'Content', long: true }],
  teams: [
    { key: 'title', label: 'Title' },
    { key: 'text', label: 'Text', long: true },
  ],
  webhook: [{ key: 'body', label: 'Body', long: true, hint: 'Sent as written, e.g. JSON' }],
};

/** The params the API takes, from the form's text (email's `to` as a list). */
export function toolParamsOf(
  kind: ToolKind | undefined,
  params: Record<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key } of kind ? FIELDS[kind] : []) {
    const value = params[key] ?? '';
    if (key === 'to')
      out.to = value
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean);
    else if (value !== '') out[key] = value;
  }
  return out;
}

/** The form's text, from stored params. */
export function toolParamsText(
  params: Record<string, unknown> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params ?? {}))
    out[key] = Array.isArray(value) ? value.join(', ') : String(value);
  return out;
}

/** The kind of the chosen credential (for sending the right params). */
export function useToolCredentials() {
  return useResource<Credential[]>('/tools/credentials');
}

/**
 * A credential picker and the params of its kind. Text fields are templates:
 * `{{ event.name }}`, `{{ run.status }}`, `{{ input.name }}`, `{{ output.rows }}`...
 */
export function ToolActionFields(props: {
  value: ToolActionValue;
  onChange(value: ToolActionValue): void;
  credentials: Credential[] | undefined;
  /** The API's field error at a path under this action (`credentialId`, `params.text`). */
  error(path: string): string | undefined;
  label?: string;
}) {
  const { value, credentials } = props;
  const chosen = credentials?.find((c) => String(c.id) === value.credentialId);
  if (credentials && credentials.length === 0)
    return (
      <Alert color="yellow" title="No tool credentials yet">
        Add one on the{' '}
        <Anchor component={Link} href="/tools">
          Tools
        </Anchor>{' '}
        page first (an SMTP server, a Slack or Teams webhook...).
      </Alert>
    );
  return (
    <Stack gap="sm">
      <Select
        label={props.label ?? 'Credential'}
        placeholder="Choose one"
        data={(credentials ?? []).map((c) => ({
          value: String(c.id),
          label: `${c.name} (${c.kind})`,
        }))}
        value={value.credentialId}
        onChange={(credentialId) => props.onChange({ ...value, credentialId })}
        error={props.error('credentialId')}
      />
      {chosen
        ? FIELDS[chosen.kind].map((field) => {
            const shared = {
              label: field.label,
              description: field.hint,
              className: 'cr-mono',
              value: value.params[field.key] ?? '',
              onChange: (e: { currentTarget: { value: string } }) =>
                props.onChange({
                  ...value,
                  params: { ...value.params, [field.key]: e.currentTarget.value },
                }),
              error: props.error(`params.${field.key}`),
            };
            return field.long ? (
              <Textarea key={field.key} autosize minRows={3} {...shared} />
            ) : (
              <TextInput key={field.key} {...shared} />
            );
          })
        : null}
    </Stack>
  );
}
