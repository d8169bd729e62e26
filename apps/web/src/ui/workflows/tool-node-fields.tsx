'use client';
import { useState } from 'react';
import { Code, Stack, Text } from '@mantine/core';
import {
  ToolActionFields,
  type ToolActionValue,
  type ToolCredential,
} from '../forms/tool-action-fields.tsx';
import { TOOL_FIELDS, toolParamsNotShown, toolParamsText } from '../forms/tool-params.ts';
import { toolFieldOf, toolNodeParams } from './tool-node.ts';
import type { NodeTarget } from './workflow-graph.ts';

type ToolTarget = Extract<NodeTarget, { kind: 'tool' }>;

/**
 * A tool node's credential and params: the event editor's fields (the credential, then the
 * params of its kind), the params set through the API that the fields do not show, and the
 * API's problems with each. The text is held here as typed (an email's "a@b.c, " is not yet
 * a list of one), the node as the API takes it.
 */
export function ToolNodeFields(props: {
  target: ToolTarget;
  onChange(target: ToolTarget): void;
  credentials: ToolCredential[] | undefined;
  /** The API's problems with the node (paths under it: `tool/params/text`). */
  problems?: { field: string; message: string }[];
}) {
  const { target, credentials } = props;
  const [text, setText] = useState(() => toolParamsText(target.params));
  const kindOf = (id: number | null) => credentials?.find((c) => c.id === id)?.kind;
  const kind = kindOf(target.credentialId);
  const notShown = kind ? toolParamsNotShown(kind, target.params) : {};

  const change = (value: ToolActionValue) => {
    const credentialId = value.credentialId === null ? null : Number(value.credentialId);
    setText(value.params);
    props.onChange({
      kind: 'tool',
      credentialId,
      params: toolNodeParams({
        kind: kindOf(credentialId),
        text: value.params,
        stored: target.params,
        storedKind: kind,
      }),
    });
  };

  const tool = (props.problems ?? []).filter((p) => /^tool(\/|$)/.test(p.field));
  const error = (path: string) =>
    tool
      .filter((p) => toolFieldOf(p.field) === path)
      .map((p) => p.message)
      .join('; ') || undefined;
  // Where each problem shows: the fields on screen, the params listed below them, or here.
  const placed = new Set(
    credentials?.length
      ? [
          'credentialId',
          ...(kind ? TOOL_FIELDS[kind].map((f) => `params.${f.key}`) : []),
          ...Object.keys(notShown).map((key) => `params.${key}`),
        ]
      : [],
  );
  const elsewhere = tool.filter((p) => !placed.has(toolFieldOf(p.field) ?? ''));

  return (
    <Stack gap="xs">
      <ToolActionFields
        value={{
          credentialId: target.credentialId === null ? null : String(target.credentialId),
          params: text,
        }}
        onChange={change}
        credentials={credentials}
        error={error}
      />
      {Object.entries(notShown).map(([key, value]) => (
        <div key={key}>
          <Text size="xs">
            Also sent (set through the API): <Code>{key}</Code> {JSON.stringify(value)}
          </Text>
          {error(`params.${key}`) ? (
            <Text size="xs" c="red">
              {error(`params.${key}`)}
            </Text>
          ) : null}
        </div>
      ))}
      {elsewhere.map((p, i) => (
        <Text key={i} size="xs" c="red" role="alert">
          {p.field.replace(/^tool\/?/, '') || 'tool'}: {p.message}
        </Text>
      ))}
      <Text size="xs" c="dimmed">
        Every field is a template. It reads <Code>input</Code> (this node&apos;s input: its
        parents&apos; outputs by name, or its mapping), <Code>workflow</Code> (<Code>id</Code>,{' '}
        <Code>runId</Code>, <Code>node</Code>, <Code>input</Code>) and <Code>variables</Code>, as in{' '}
        <Code>{'{{ input.extract.rows }}'}</Code>.
      </Text>
    </Stack>
  );
}
