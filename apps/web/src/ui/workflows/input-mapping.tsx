'use client';
import {
  ActionIcon,
  Autocomplete,
  Button,
  Group,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';

type Rows = [string, string][];

/**
 * A node's input mapping: off (the default input), or rows of a key and its source, offered
 * from `sources` (input and the nodes upstream), with a dotted path typed after them.
 */
export function InputMapping(props: {
  input: Rows | null;
  hasParents: boolean;
  sources: string[];
  /** The API's problem with one key, if any. */
  problem(key: string): string | undefined;
  onChange(input: Rows | null): void;
}) {
  const rows = props.input ?? [];
  const setRows = (input: Rows) => props.onChange(input);
  return (
    <Stack gap={6}>
      <Switch
        label="Map its input"
        description={
          props.input
            ? 'Each key gets a value from input (the run’s input) or a node upstream, with an optional .path'
            : props.hasParents
              ? 'Off: it gets { parent name: its output } of the parents that led here'
              : 'Off: it gets the workflow run’s input'
        }
        checked={props.input !== null}
        onChange={(e) => props.onChange(e.currentTarget.checked ? [['', '']] : null)}
      />
      {props.input
        ? rows.map(([key, source], index) => {
            const rowProblem = props.problem(key.trim());
            return (
              <Stack key={index} gap={2}>
                <Group gap={6} wrap="nowrap" align="flex-start">
                  <TextInput
                    aria-label={`Input key ${index + 1}`}
                    placeholder="key"
                    classNames={{ input: 'cr-mono' }}
                    value={key}
                    onChange={(e) =>
                      setRows(rows.map((r, i) => (i === index ? [e.currentTarget.value, r[1]] : r)))
                    }
                    style={{ flex: 1 }}
                    error={Boolean(rowProblem)}
                  />
                  <Autocomplete
                    aria-label={`Source of ${key || `key ${index + 1}`}`}
                    placeholder="input.day, backup.file"
                    classNames={{ input: 'cr-mono' }}
                    data={props.sources}
                    value={source}
                    onChange={(value) =>
                      setRows(rows.map((r, i) => (i === index ? [r[0], value] : r)))
                    }
                    style={{ flex: 1.4 }}
                    error={Boolean(rowProblem)}
                  />
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    mt={4}
                    aria-label={`Remove ${key || `key ${index + 1}`}`}
                    onClick={() => setRows(rows.filter((_, i) => i !== index))}
                  >
                    ×
                  </ActionIcon>
                </Group>
                {rowProblem ? (
                  <Text size="xs" c="red">
                    {rowProblem}
                  </Text>
                ) : null}
              </Stack>
            );
          })
        : null}
      {props.input ? (
        <Button
          size="xs"
          variant="subtle"
          w="fit-content"
          onClick={() => setRows([...rows, ['', '']])}
        >
          Add key
        </Button>
      ) : null}
    </Stack>
  );
}
