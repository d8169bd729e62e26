'use client';
import { useState } from 'react';
import Link from 'next/link';
import {
  Anchor,
  Button,
  Checkbox,
  Group,
  Pagination,
  Select,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { api } from '../../../ui/api.ts';
import { PageHeader, StatusBadge, Time, notifyDone, notifyError } from '../../../ui/components.tsx';
import { filteredEmptyState } from '../../../ui/filtered-empty-state.tsx';
import { ListTable } from '../../../ui/list-table.tsx';
import { useResource } from '../../../ui/use-resource.ts';
import type { EventListItem } from '../../../ui/types.ts';

const PAGE = 25;

interface EventPage {
  events: EventListItem[];
  total: number;
}

export default function EventsPage() {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 250);
  const [status, setStatus] = useState<string | null>(null);
  const [type, setType] = useState<string | null>(null);
  const [targetKind, setTargetKind] = useState<string | null>(null);
  const [tag, setTag] = useState('');
  const [tagFilter] = useDebouncedValue(tag, 250);
  const [sort, setSort] = useState<string | null>('newest');
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const list = useResource<EventPage>('/events', {
    q,
    status,
    type,
    targetKind,
    tag: tagFilter,
    sort,
    limit: PAGE,
    offset: (page - 1) * PAGE,
  });
  const events = list.data?.events ?? [];
  const filtered = Boolean(q || status || type || targetKind || tagFilter);

  const filter =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPage(1);
      setSelected(new Set());
    };

  const setAll = async (next: 'active' | 'paused') => {
    const ids = [...selected];
    // Optimistic: the list shows the new status at once; a failure reloads the truth.
    list.setData(
      (d) =>
        d && {
          ...d,
          events: d.events.map((e) => (selected.has(e.id) ? { ...e, status: next } : e)),
        },
    );
    const results = await Promise.allSettled(
      ids.map((id) => api('PATCH', `/events/${id}`, { status: next })),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length > 0) {
      notifyError(
        `${failed.length} of ${ids.length} events could not be changed`,
        (failed[0] as PromiseRejectedResult).reason,
      );
    } else
      notifyDone(
        `${ids.length} event${ids.length === 1 ? '' : 's'} ${next === 'paused' ? 'paused' : 'resumed'}`,
      );
    setSelected(new Set());
    await list.reload();
  };

  return (
    <>
      <PageHeader
        title="Events"
        description="Scripts and HTTP requests, run on a schedule, by hand or by the API"
        actions={
          <Button component={Link} href="/events/new">
            New event
          </Button>
        }
      />
      <Group gap="xs" mb="sm" align="flex-end">
        <TextInput
          label="Search"
          placeholder="Name, description or tag"
          value={search}
          onChange={(e) => filter(setSearch)(e.currentTarget.value)}
          w={{ base: '100%', sm: 240 }}
        />
        <Select
          label="Status"
          placeholder="Any"
          clearable
          data={['active', 'paused']}
          value={status}
          onChange={filter(setStatus)}
          w={{ base: '47%', sm: 120 }}
        />
        <Select
          label="Type"
          placeholder="Any"
          clearable
          data={['bash', 'python', 'node', 'http']}
          value={type}
          onChange={filter(setType)}
          w={{ base: '47%', sm: 120 }}
        />
        <Select
          label="Target"
          placeholder="Any"
          clearable
          data={['container', 'local', 'ssh']}
          value={targetKind}
          onChange={filter(setTargetKind)}
          w={{ base: '47%', sm: 130 }}
        />
        <TextInput
          label="Tag"
          placeholder="Any"
          value={tag}
          onChange={(e) => filter(setTag)(e.currentTarget.value)}
          w={{ base: '47%', sm: 120 }}
        />
        <Select
          label="Sort by"
          data={[
            { value: 'newest', label: 'Newest' },
            { value: 'oldest', label: 'Oldest' },
            { value: 'name', label: 'Name' },
            { value: 'nextFire', label: 'Next fire' },
          ]}
          value={sort}
          onChange={filter(setSort)}
          allowDeselect={false}
          w={{ base: '100%', sm: 140 }}
        />
      </Group>
      {selected.size > 0 ? (
        <Group gap="xs" mb="sm" aria-label="Bulk actions">
          <Text size="sm">{selected.size} selected</Text>
          <Button size="xs" variant="light" onClick={() => setAll('paused')}>
            Pause
          </Button>
          <Button size="xs" variant="light" onClick={() => setAll('active')}>
            Resume
          </Button>
        </Group>
      ) : null}
      <ListTable
        resource={list}
        empty={events.length === 0}
        {...filteredEmptyState({
          filtered,
          noun: 'event',
          clear: 'filters',
          intro:
            'An event is a script or an HTTP request that Cronium runs for you: on a schedule, by hand, or from the API.',
          newHref: '/events/new',
        })}
        label="Events"
        highlightOnHover
        verticalSpacing="xs"
        head={
          <>
            <Table.Th w={36}>
              <Checkbox
                aria-label="Select all on this page"
                checked={events.length > 0 && events.every((e) => selected.has(e.id))}
                onChange={(e) =>
                  setSelected(new Set(e.currentTarget.checked ? events.map((ev) => ev.id) : []))
                }
              />
            </Table.Th>
            <Table.Th>Name</Table.Th>
            <Table.Th visibleFrom="sm">Type</Table.Th>
            <Table.Th visibleFrom="sm">Target</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Last run</Table.Th>
            <Table.Th visibleFrom="sm">Next fire</Table.Th>
          </>
        }
        footer={
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed">
              {list.data?.total ?? 0} event{list.data?.total === 1 ? '' : 's'}
            </Text>
            <Pagination
              total={Math.max(1, Math.ceil((list.data?.total ?? 0) / PAGE))}
              value={page}
              onChange={(p) => {
                setPage(p);
                setSelected(new Set());
              }}
              size="sm"
              getControlProps={(control) => ({ 'aria-label': `${control} page` })}
            />
          </Group>
        }
      >
        {events.map((event) => (
          <Table.Tr key={event.id}>
            <Table.Td>
              <Checkbox
                aria-label={`Select ${event.name}`}
                checked={selected.has(event.id)}
                onChange={(e) => {
                  const next = new Set(selected);
                  if (e.currentTarget.checked) next.add(event.id);
                  else next.delete(event.id);
                  setSelected(next);
                }}
              />
            </Table.Td>
            <Table.Td>
              <Anchor component={Link} href={`/events/${event.id}`} fw={500}>
                {event.name}
              </Anchor>
              {event.tags.length > 0 ? (
                <Text size="xs" c="dimmed">
                  {event.tags.join(', ')}
                </Text>
              ) : null}
            </Table.Td>
            <Table.Td visibleFrom="sm">{event.type}</Table.Td>
            <Table.Td visibleFrom="sm">{event.targetKind}</Table.Td>
            <Table.Td>
              <StatusBadge status={event.status} />
            </Table.Td>
            <Table.Td>
              {event.lastRun ? (
                <Anchor component={Link} href={`/runs/${event.lastRun.id}`}>
                  <StatusBadge status={event.lastRun.status} />
                </Anchor>
              ) : (
                <Text size="sm" c="dimmed">
                  never
                </Text>
              )}
            </Table.Td>
            <Table.Td visibleFrom="sm">
              {event.nextFireAt ? (
                <Time value={event.nextFireAt} zone={event.schedule?.timezone} />
              ) : (
                <Text size="sm" c="dimmed">
                  {event.schedule ? 'paused' : 'no schedule'}
                </Text>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
    </>
  );
}
