'use client';
import { Alert, Anchor, Select, Stack, TextInput, Textarea } from '@mantine/core';
import Link from 'next/link';
import { useResource } from '../use-resource.ts';
import { TOOL_FIELDS, type ToolKind } from './tool-params.ts';

/** A tool action as a form edits it: the credential and each param as text. */
export interface ToolActionValue {
  credentialId: string | null;
  params: Record<string, string>;
}

export interface ToolCredential {
  id: number;
  kind: ToolKind;
  name: string;
}

/** Your tool credentials: their names and kinds (the kind says which params to send). */
export function useToolCredentials() {
  return useResource<ToolCredential[]>('/tools/credentials');
}

/**
 * A credential picker and the params of its kind. Text fields are templates:
 * `{{ event.name }}`, `{{ run.status }}`, `{{ input.name }}`, `{{ output.rows }}`...
 */
export function ToolActionFields(props: {
  value: ToolActionValue;
  onChange(value: ToolActionValue): void;
  credentials: ToolCredential[] | undefined;
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
        ? TOOL_FIELDS[chosen.kind].map((field) => {
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
