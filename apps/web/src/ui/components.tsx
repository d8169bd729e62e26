'use client';
import type { ReactNode } from 'react';
import {
  Alert,
  Badge,
  Button,
  Center,
  Code,
  CopyButton,
  Group,
  Loader,
  Stack,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { ApiProblem } from './api.ts';

export function PageHeader(props: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <Group justify="space-between" align="flex-start" mb="md" gap="sm">
      <div>
        <Title order={1} size="h2">
          {props.title}
        </Title>
        {props.description ? (
          <Text c="dimmed" size="sm">
            {props.description}
          </Text>
        ) : null}
      </div>
      {props.actions ? <Group gap="xs">{props.actions}</Group> : null}
    </Group>
  );
}

const STATUS_COLORS: Record<string, string> = {
  succeeded: 'teal',
  failed: 'red',
  timed_out: 'orange',
  cancelled: 'gray',
  cancelling: 'yellow',
  running: 'blue',
  queued: 'violet',
  scheduled: 'cyan',
  active: 'teal',
  paused: 'gray',
  disabled: 'red',
  fired: 'teal',
  skipped: 'gray',
  missed: 'orange',
  waiting: 'gray',
  started: 'blue',
};

/** A run's, event's or user's status as a coloured label (the word carries the meaning). */
export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge
      color={STATUS_COLORS[status] ?? 'gray'}
      variant="light"
      data-status={status}
      style={{ maxWidth: 'none', overflow: 'visible' }}
      styles={{ label: { overflow: 'visible' } }}
    >
      {status.replace('_', ' ')}
    </Badge>
  );
}

const localFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'medium',
});

export function formatInZone(value: string | Date, timeZone?: string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  return timeZone
    ? new Intl.DateTimeFormat(undefined, {
        dateStyle: 'medium',
        timeStyle: 'medium',
        timeZone,
      }).format(date)
    : localFormat.format(date);
}

/** How long ago (or until) an instant is, in words. */
export function relative(value: string | Date, now = Date.now()): string {
  const ms = new Date(value).getTime() - now;
  const abs = Math.abs(ms);
  const [amount, unit] =
    abs < 60_000
      ? [Math.round(abs / 1000), 'second']
      : abs < 3_600_000
        ? [Math.round(abs / 60_000), 'minute']
        : abs < 86_400_000
          ? [Math.round(abs / 3_600_000), 'hour']
          : [Math.round(abs / 86_400_000), 'day'];
  const words = `${amount} ${unit}${amount === 1 ? '' : 's'}`;
  return ms < 0 ? `${words} ago` : `in ${words}`;
}

/**
 * An instant in the viewer's time zone; with `zone` (an event's schedule zone) also the time
 * there, when it differs.
 */
export function Time({ value, zone }: { value: string | null | undefined; zone?: string }) {
  if (!value)
    return (
      <Text span c="dimmed">
        —
      </Text>
    );
  const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const there = zone && zone !== viewerZone ? `${formatInZone(value, zone)} (${zone})` : undefined;
  return (
    <Tooltip label={`${new Date(value).toISOString()} UTC${there ? ` · ${there}` : ''}`}>
      <time dateTime={value}>
        {formatInZone(value)}
        {there ? (
          <Text span size="xs" c="dimmed" display="block">
            {there}
          </Text>
        ) : null}
      </time>
    </Tooltip>
  );
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Loading, error and empty states around a page's data. */
export function DataState(props: {
  loading: boolean;
  error: ApiProblem | undefined;
  empty?: boolean;
  emptyTitle?: string;
  emptyText?: ReactNode;
  emptyAction?: ReactNode;
  onRetry?: () => void;
  hasData: boolean;
  children: ReactNode;
}) {
  if (props.error && !props.hasData)
    return (
      <Alert color="red" title="This could not be loaded" role="alert">
        <Stack gap="xs">
          <Text size="sm">{props.error.message}</Text>
          {props.onRetry ? (
            <Button size="xs" variant="light" color="red" onClick={props.onRetry} w="fit-content">
              Try again
            </Button>
          ) : null}
        </Stack>
      </Alert>
    );
  if (!props.hasData)
    return (
      <Center py="xl" aria-busy="true">
        <Loader size="sm" aria-label="Loading" />
      </Center>
    );
  if (props.empty)
    return (
      <Stack align="center" py="xl" gap="xs" data-testid="empty-state">
        <Text fw={600}>{props.emptyTitle ?? 'Nothing here yet'}</Text>
        {props.emptyText ? (
          <Text c="dimmed" size="sm" ta="center" maw={480}>
            {props.emptyText}
          </Text>
        ) : null}
        {props.emptyAction}
      </Stack>
    );
  return <>{props.children}</>;
}

/** A JSON value, formatted. */
export function JsonBlock({ value }: { value: unknown }) {
  if (value === null || value === undefined)
    return (
      <Text c="dimmed" size="sm">
        none
      </Text>
    );
  return (
    <Code block style={{ maxHeight: 320, overflow: 'auto' }}>
      {JSON.stringify(value, null, 2)}
    </Code>
  );
}

export function notifyError(title: string, error: unknown) {
  notifications.show({
    color: 'red',
    title,
    message: error instanceof Error ? error.message : String(error),
  });
}

export function notifyDone(message: string) {
  notifications.show({ color: 'teal', message });
}

/** A labelled value on a detail page (a run's status, a setting). */
export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

/**
 * A secret the server returns once (a new API token, an invitation link): the explanation,
 * the value to copy, and Done. Closing forgets it: it cannot be shown again.
 */
export function ShownOnce(props: {
  children: ReactNode;
  value: string;
  testId: string;
  copyLabel: string;
  onDone(): void;
}) {
  return (
    <Stack>
      {props.children}
      <Code block data-testid={props.testId}>
        {props.value}
      </Code>
      <Group justify="flex-end">
        <CopyButton value={props.value}>
          {({ copied, copy }) => (
            <Button variant="light" onClick={copy}>
              {copied ? 'Copied' : props.copyLabel}
            </Button>
          )}
        </CopyButton>
        <Button onClick={props.onDone}>Done</Button>
      </Group>
    </Stack>
  );
}
