'use client';
import Link from 'next/link';
import { Anchor, Code, Stack, Table, Text } from '@mantine/core';
import { useToolCredentials } from './forms/tool-action-fields.tsx';
import type { EventItem } from './types.ts';
import { useResource } from './use-resource.ts';

const WHEN: Record<string, string> = {
  failure: 'On failure',
  success: 'On success',
  always: 'Always',
  condition_true: 'When its condition is true',
  condition_false: 'When its condition is false',
};

/** An event's name, linked (its id while loading, or when it cannot be read). */
function EventLink({ id }: { id: number }) {
  const event = useResource<EventItem>(`/events/${id}`);
  return (
    <Anchor component={Link} href={`/events/${id}`}>
      {event.data?.name ?? `event #${id}`}
    </Anchor>
  );
}

/** A tool action's params, each template as written. */
function Params({ params }: { params: Record<string, unknown> }) {
  return (
    <Stack gap={2}>
      {Object.entries(params).map(([key, value]) => (
        <Text key={key} size="sm">
          {key}: <Code>{Array.isArray(value) ? value.join(', ') : String(value)}</Code>
        </Text>
      ))}
    </Stack>
  );
}

/**
 * What an event does after each run (its conditional actions), as a table; `toolOnly` shows a
 * tool event's own action (no "When").
 */
export function EventActionsList({
  actions,
  toolOnly = false,
}: {
  actions: NonNullable<EventItem['actions']>;
  toolOnly?: boolean;
}) {
  const credentials = useToolCredentials();
  const credential = (id: number) => credentials.data?.find((c) => c.id === id);
  if (actions.length === 0)
    return (
      <Text size="sm" c="dimmed">
        Nothing happens after a run ends. Edit the event to send a message or start another event
        then.
      </Text>
    );
  return (
    <div className="cr-table-scroll" tabIndex={0}>
      <Table aria-label={toolOnly ? 'Action' : 'After each run'}>
        <Table.Thead>
          <Table.Tr>
            {toolOnly ? null : <Table.Th>When</Table.Th>}
            <Table.Th>Does</Table.Th>
            <Table.Th>With</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {actions.map((action, i) => {
            const used = action.tool ? credential(action.tool.credentialId) : undefined;
            return (
              <Table.Tr key={i}>
                {toolOnly ? null : <Table.Td>{WHEN[action.on] ?? action.on}</Table.Td>}
                <Table.Td>
                  {action.event ? (
                    <>
                      Starts <EventLink id={action.event.id} /> with the output as input
                    </>
                  ) : (
                    <>
                      Sends through{' '}
                      {used
                        ? `${used.name} (${used.kind})`
                        : `credential #${action.tool?.credentialId}`}
                    </>
                  )}
                </Table.Td>
                <Table.Td>{action.tool ? <Params params={action.tool.params} /> : '—'}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </div>
  );
}
