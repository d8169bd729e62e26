'use client';
import { ActionIcon, Button, Group, Stack, Text, TextInput } from '@mantine/core';

export type Pair = [string, string];

/** Name/value rows (environment variables, HTTP headers). */
export function KeyValueEditor(props: {
  label: string;
  pairs: Pair[];
  onChange(pairs: Pair[]): void;
  keyLabel?: string;
  error?: string;
}) {
  const update = (index: number, pair: Pair) =>
    props.onChange(props.pairs.map((p, i) => (i === index ? pair : p)));
  return (
    <Stack gap={6}>
      <Text size="sm" fw={500}>
        {props.label}
      </Text>
      {props.pairs.map(([key, value], index) => (
        <Group key={index} gap="xs" wrap="nowrap">
          <TextInput
            aria-label={`${props.keyLabel ?? 'Name'} ${index + 1}`}
            placeholder={props.keyLabel ?? 'NAME'}
            value={key}
            onChange={(e) => update(index, [e.currentTarget.value, value])}
            className="cr-mono"
            style={{ flex: 1 }}
          />
          <TextInput
            aria-label={`Value ${index + 1}`}
            placeholder="value"
            value={value}
            onChange={(e) => update(index, [key, e.currentTarget.value])}
            style={{ flex: 2 }}
          />
          <ActionIcon
            variant="subtle"
            color="red"
            aria-label={`Remove ${key || 'row'}`}
            onClick={() => props.onChange(props.pairs.filter((_, i) => i !== index))}
          >
            ×
          </ActionIcon>
        </Group>
      ))}
      {props.error ? (
        <Text size="xs" c="red">
          {props.error}
        </Text>
      ) : null}
      <Button
        size="xs"
        variant="subtle"
        w="fit-content"
        onClick={() => props.onChange([...props.pairs, ['', '']])}
      >
        Add {props.keyLabel?.toLowerCase() ?? 'variable'}
      </Button>
    </Stack>
  );
}

export const toPairs = (record: Record<string, string> | undefined | null): Pair[] =>
  Object.entries(record ?? {});
export const fromPairs = (pairs: Pair[]): Record<string, string> =>
  Object.fromEntries(pairs.filter(([k]) => k.trim() !== '').map(([k, v]) => [k.trim(), v]));
