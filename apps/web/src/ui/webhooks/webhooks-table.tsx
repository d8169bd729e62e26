'use client';
import { Badge, Group, Switch, Table, Text } from '@mantine/core';
import { Time } from '../components.tsx';
import type { Webhook } from '../types.ts';
import { CopyValue } from './copy-value.tsx';
import { RowActions, RowButton } from '../row-actions.tsx';

/** The hooks of one event or workflow: URL, mode, last call, an on/off switch, the actions. */
export function WebhooksTable(props: {
  hooks: Webhook[];
  onToggle(hook: Webhook): void;
  onRotate(hook: Webhook): void;
  onDelete(hook: Webhook): void;
}) {
  return (
    <div className="cr-table-scroll" tabIndex={0}>
      <Table aria-label="Webhooks">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>URL</Table.Th>
            <Table.Th visibleFrom="sm">Authentication</Table.Th>
            <Table.Th visibleFrom="sm">Last called</Table.Th>
            <Table.Th>Enabled</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {props.hooks.map((h) => (
            <Table.Tr key={h.id}>
              <Table.Td miw={140}>
                {h.name}
                <Text size="xs" c="dimmed" className="cr-mono">
                  {h.secretPrefix}…
                </Text>
                {h.previousSecretExpiresAt ? (
                  <Text size="xs" c="dimmed">
                    old secret until <Time value={h.previousSecretExpiresAt} />
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Text
                    size="xs"
                    className="cr-mono"
                    miw={220}
                    style={{ overflowWrap: 'anywhere' }}
                  >
                    {h.url}
                  </Text>
                  <CopyValue value={h.url} label={`Copy the URL of ${h.name}`} />
                </Group>
              </Table.Td>
              <Table.Td visibleFrom="sm">
                <Badge variant="light" color={h.authMode === 'hmac' ? 'blue' : 'gray'}>
                  {h.authMode === 'hmac' ? 'signed' : 'bearer'}
                </Badge>
              </Table.Td>
              <Table.Td visibleFrom="sm">
                <Time value={h.lastTriggeredAt} />
              </Table.Td>
              <Table.Td>
                <Switch
                  checked={h.enabled}
                  onChange={() => props.onToggle(h)}
                  aria-label={`${h.name} enabled`}
                />
              </Table.Td>
              <Table.Td>
                <RowActions>
                  <RowButton
                    onClick={() => props.onRotate(h)}
                    aria-label={`Rotate the secret of ${h.name}`}
                  >
                    Rotate
                  </RowButton>
                  <RowButton
                    danger
                    onClick={() => props.onDelete(h)}
                    aria-label={`Delete ${h.name}`}
                  >
                    Delete
                  </RowButton>
                </RowActions>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}
