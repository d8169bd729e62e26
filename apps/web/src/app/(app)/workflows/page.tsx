'use client';
import { useState } from 'react';
import Link from 'next/link';
import { Anchor, Button, Group, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { PageHeader, StatusBadge, Time } from '../../../ui/components.tsx';
import { filteredEmptyState } from '../../../ui/filtered-empty-state.tsx';
import { KeysetPager, useKeyset } from '../../../ui/keyset-pager.tsx';
import { ListTable } from '../../../ui/list-table.tsx';
import type { WorkflowListItem } from '../../../ui/types.ts';
import { useResource } from '../../../ui/use-resource.ts';

export default function WorkflowsPage() {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 250);
  const keyset = useKeyset(q);
  const list = useResource<{ workflows: WorkflowListItem[]; nextBefore: number | null }>(
    '/workflows',
    { q, before: keyset.before, limit: 25 },
  );
  const workflows = list.data?.workflows ?? [];

  return (
    <>
      <PageHeader
        title="Workflows"
        description="Events chained into a graph: what runs next depends on how each step ended"
        actions={
          <Button component={Link} href="/workflows/new">
            New workflow
          </Button>
        }
      />
      <Group gap="xs" mb="sm">
        <TextInput
          label="Search"
          placeholder="Name"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={{ base: '100%', sm: 240 }}
        />
      </Group>
      <ListTable
        resource={list}
        empty={workflows.length === 0 && keyset.newest}
        {...filteredEmptyState({
          filtered: Boolean(q),
          noun: 'workflow',
          clear: 'search',
          intro:
            'A workflow runs your events one after another or side by side: "back up, then upload if it worked, else page me".',
          newHref: '/workflows/new',
        })}
        label="Workflows"
        highlightOnHover
        verticalSpacing="xs"
        head={
          <>
            <Table.Th>Name</Table.Th>
            <Table.Th visibleFrom="sm">Nodes</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Last run</Table.Th>
          </>
        }
        footer={<KeysetPager keyset={keyset} nextBefore={list.data?.nextBefore} />}
      >
        {workflows.map((w) => (
          <Table.Tr key={w.id}>
            <Table.Td>
              <Anchor component={Link} href={`/workflows/${w.id}`} fw={500}>
                {w.name}
              </Anchor>
              {w.description ? (
                <Text size="xs" c="dimmed" lineClamp={1}>
                  {w.description}
                </Text>
              ) : null}
            </Table.Td>
            <Table.Td visibleFrom="sm">{w.nodeCount}</Table.Td>
            <Table.Td>
              <StatusBadge status={w.status} />
            </Table.Td>
            <Table.Td>
              {w.lastRun ? (
                <>
                  <Anchor component={Link} href={`/workflow-runs/${w.lastRun.id}`}>
                    <StatusBadge status={w.lastRun.status} />
                  </Anchor>
                  <Text size="xs" c="dimmed" component="div">
                    <Time value={w.lastRun.createdAt} />
                  </Text>
                </>
              ) : (
                <Text size="sm" c="dimmed">
                  never
                </Text>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
    </>
  );
}
