'use client';
import { useEffect, useState } from 'react';
import dynamic from 'next/dynamic';
import { useRouter } from 'next/navigation';
import {
  Button,
  Card,
  Group,
  MultiSelect,
  NumberInput,
  PasswordInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
  Textarea,
  Title,
  useComputedColorScheme,
  useMatches,
} from '@mantine/core';
import { api } from '../api.ts';
import { notifyDone } from '../components.tsx';
import { FormError, useFormSubmit } from '../form-submit.tsx';
import { useMe } from '../session.tsx';
import { STARTER_SCRIPTS, type ScriptLanguage } from '../sdk-completions.ts';
import type { EventItem, Server, Settings } from '../types.ts';
import { useResource } from '../use-resource.ts';
import { fromPairs, KeyValueEditor, toPairs, type Pair } from './key-value-editor.tsx';
import {
  actionsFromApi,
  actionsToApi,
  EventActionsCard,
  type ActionValue,
} from './event-actions-card.tsx';
import { ScheduleBuilder, type ScheduleValue } from './schedule-builder.tsx';
import {
  ToolActionFields,
  useToolCredentials,
  type ToolActionValue,
} from './tool-action-fields.tsx';
import { toolParamsOf, toolParamsText, type ToolKind } from './tool-params.ts';

// The editor is loaded when the form shows (it is most of this page's JavaScript).
const CodeEditor = dynamic(() => import('../code-editor.tsx'), {
  ssr: false,
  loading: () => <Skeleton height={240} />,
});

type EventType = ScriptLanguage | 'http' | 'tool';
const TYPES = [
  { value: 'bash', label: 'Bash' },
  { value: 'python', label: 'Python' },
  { value: 'node', label: 'Node.js' },
  { value: 'http', label: 'HTTP request' },
  { value: 'tool', label: 'Tool action' },
];
const isScript = (type: EventType): type is ScriptLanguage => type !== 'http' && type !== 'tool';

interface FormState {
  name: string;
  description: string;
  type: EventType;
  active: boolean;
  tags: string[];
  script: string;
  http: { method: string; url: string; headers: Pair[]; body: string };
  tool: ToolActionValue;
  /** What to send after each run ends. */
  actions: ActionValue[];
  schedule: ScheduleValue | null;
  targetKind: 'container' | 'local' | 'ssh';
  image: string;
  serverIds: string[];
  memoryMb: number | string;
  cpuMillis: number | string;
  pids: number | string;
  networkEnabled: boolean;
  env: Pair[];
  secretKeys: string[];
  removedSecrets: string[];
  newSecrets: Pair[];
  timeoutSeconds: number | string;
  maxAttempts: number | string;
  delaySeconds: number | string;
  backoffFactor: number | string;
  concurrencyPolicy: string;
  concurrencyMax: number | string;
  priority: number | string;
}

function initialState(event: EventItem | undefined, settings: Settings | undefined): FormState {
  const type = (event?.type ?? 'bash') as EventType;
  return {
    name: event?.name ?? '',
    description: event?.description ?? '',
    type,
    active: (event?.status ?? 'active') === 'active',
    tags: event?.tags ?? [],
    script: event?.script ?? STARTER_SCRIPTS[isScript(type) ? type : 'bash'],
    http: {
      method: event?.http?.method ?? 'GET',
      url: event?.http?.url ?? '',
      headers: toPairs(event?.http?.headers),
      body: event?.http?.body ?? '',
    },
    tool: {
      credentialId: event?.tool ? String(event.tool.credentialId) : null,
      params: toolParamsText(event?.tool?.params),
    },
    actions: actionsFromApi(event?.actions),
    schedule: event?.schedule
      ? {
          cron: event.schedule.cron,
          timezone: event.schedule.timezone ?? 'UTC',
          misfirePolicy: event.schedule.misfirePolicy ?? 'last',
        }
      : null,
    targetKind: event?.targetKind ?? (settings?.targets.containers ? 'container' : 'local'),
    image: event?.image ?? '',
    serverIds: (event?.serverIds ?? []).map(String),
    memoryMb: event?.limits.memoryMb ?? '',
    cpuMillis: event?.limits.cpuMillis ?? '',
    pids: event?.limits.pids ?? '',
    networkEnabled: event?.networkEnabled ?? false,
    env: toPairs(event?.env),
    secretKeys: event?.secretEnvKeys ?? [],
    removedSecrets: [],
    newSecrets: [],
    timeoutSeconds: event?.timeoutSeconds ?? 300,
    maxAttempts: event?.retry.maxAttempts ?? 1,
    delaySeconds: event?.retry.delaySeconds ?? 10,
    backoffFactor: event?.retry.backoffFactor ?? 2,
    concurrencyPolicy: event?.concurrency.policy ?? 'allow',
    concurrencyMax: event?.concurrency.max ?? 1,
    priority: event?.priority ?? 0,
  };
}

const num = (v: number | string) => (v === '' ? null : Number(v));

/** The request body the API takes, from the form. */
function bodyOf(
  f: FormState,
  editing: EventItem | undefined,
  kindOf: (credentialId: string | null) => ToolKind | undefined,
): Record<string, unknown> {
  // HTTP requests and tool actions run from the orchestrator: no script, no target of theirs.
  const isHttp = !isScript(f.type);
  const secretEnv: Record<string, string | null> = {};
  for (const name of f.removedSecrets) secretEnv[name] = null;
  for (const [name, value] of f.newSecrets) if (name.trim()) secretEnv[name.trim()] = value;
  return {
    name: f.name,
    description: f.description,
    type: f.type,
    status: f.active ? 'active' : 'paused',
    tags: f.tags,
    script: isHttp ? null : f.script,
    tool:
      f.type === 'tool'
        ? {
            credentialId: Number(f.tool.credentialId),
            params: toolParamsOf(kindOf(f.tool.credentialId), f.tool.params),
          }
        : null,
    http:
      f.type === 'http'
        ? {
            method: f.http.method,
            url: f.http.url,
            headers: fromPairs(f.http.headers),
            body: f.http.body === '' ? null : f.http.body,
          }
        : null,
    schedule: f.schedule,
    targetKind: isHttp ? 'local' : f.targetKind,
    image: !isHttp && f.targetKind === 'container' && f.image.trim() ? f.image.trim() : null,
    serverIds: !isHttp && f.targetKind === 'ssh' ? f.serverIds.map(Number) : [],
    limits: { memoryMb: num(f.memoryMb), cpuMillis: num(f.cpuMillis), pids: num(f.pids) },
    networkEnabled: !isHttp && f.targetKind === 'container' && f.networkEnabled,
    env: fromPairs(f.env),
    ...(Object.keys(secretEnv).length > 0 || !editing ? { secretEnv } : {}),
    timeoutSeconds: Number(f.timeoutSeconds),
    retry: {
      maxAttempts: Number(f.maxAttempts),
      delaySeconds: Number(f.delaySeconds),
      backoffFactor: Number(f.backoffFactor),
    },
    concurrency: { policy: f.concurrencyPolicy, max: Number(f.concurrencyMax) },
    priority: Number(f.priority),
    actions: actionsToApi(f.actions, kindOf),
  };
}

/** One form for every event type and target: creates (no `event`) or edits an event. */
export function EventForm({ event }: { event?: EventItem }) {
  const router = useRouter();
  const me = useMe();
  const dark = useComputedColorScheme('light', { getInitialValueInEffect: true }) === 'dark';
  // Five types or three targets do not fit side by side on a phone: stacked there.
  const orientation = useMatches<'vertical' | 'horizontal'>({ base: 'vertical', sm: 'horizontal' });
  const settings = useResource<Settings>('/settings');
  const servers = useResource<Server[]>('/servers');
  const [form, setForm] = useState<FormState>(() => initialState(event, undefined));
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const defaultTarget = settings.data?.targets.containers ? 'container' : undefined;
  useEffect(() => {
    // A new script event runs in a container when the installation has Docker.
    if (!event && defaultTarget) setForm((f) => ({ ...f, targetKind: defaultTarget }));
  }, [event, defaultTarget]);
  const caps = settings.data?.containerCaps;
  const isHttp = form.type === 'http';
  const isTool = form.type === 'tool';
  const credentials = useToolCredentials();
  const kindOf = (credentialId: string | null) =>
    credentials.data?.find((c) => String(c.id) === credentialId)?.kind;
  const localAllowed =
    settings.data?.targets.local === 'everyone' ||
    (settings.data?.targets.local === 'admins' && me.role === 'admin');

  const changeType = (type: EventType) =>
    setForm((f) => {
      const untouched = f.script === STARTER_SCRIPTS[isScript(f.type) ? f.type : 'bash'];
      return {
        ...f,
        type,
        script: untouched && isScript(type) ? STARTER_SCRIPTS[type] : f.script,
      };
    });

  const save = useFormSubmit(
    async () => {
      try {
        const body = bodyOf(form, event, kindOf);
        const saved = event
          ? await api<EventItem>('PATCH', `/events/${event.id}`, body)
          : await api<EventItem>('POST', '/events', body);
        notifyDone(event ? 'Event saved' : 'Event created');
        router.push(`/events/${saved.id}`);
      } catch (problem) {
        // The message is above the form: bring it into view.
        window.scrollTo({ top: 0, behavior: 'smooth' });
        throw problem;
      }
    },
    { leaves: true },
  );
  const errors = save.fieldErrors;

  const fieldError = (...paths: string[]) => paths.map((p) => errors[p]).find(Boolean);

  return (
    <form onSubmit={save.submit} aria-label={event ? 'Edit event' : 'New event'} noValidate>
      <Stack gap="md">
        <FormError error={save.error} title="The event was not saved" />
        <Card withBorder>
          <Stack gap="sm">
            <TextInput
              label="Name"
              required
              value={form.name}
              onChange={(e) => set('name', e.currentTarget.value)}
              error={fieldError('name')}
            />
            <Textarea
              label="Description"
              autosize
              minRows={1}
              value={form.description}
              onChange={(e) => set('description', e.currentTarget.value)}
              error={fieldError('description')}
            />
            <Group grow align="flex-start" wrap="wrap">
              <TagsInput
                label="Tags"
                placeholder="Type a tag and press Enter"
                value={form.tags}
                onChange={(v) => set('tags', v)}
                error={fieldError('tags')}
                miw={200}
              />
              <Switch
                label="Active (paused events run only by hand)"
                checked={form.active}
                onChange={(e) => set('active', e.currentTarget.checked)}
                mt={28}
              />
            </Group>
            <div>
              <Text size="sm" fw={500} mb={4} id="event-type-label">
                Type
              </Text>
              <SegmentedControl
                aria-labelledby="event-type-label"
                data={TYPES}
                orientation={orientation}
                value={form.type}
                onChange={(v) => changeType(v as EventType)}
                fullWidth
              />
            </div>
          </Stack>
        </Card>

        <Card withBorder>
          <Title order={2} size="h4" mb="sm">
            {isHttp ? 'Request' : isTool ? 'Action' : 'Script'}
          </Title>
          {isTool ? (
            <ToolActionFields
              value={form.tool}
              onChange={(tool) => set('tool', tool)}
              credentials={credentials.data}
              error={(path) =>
                fieldError(`tool.${path}`, ...(path === 'credentialId' ? ['tool'] : []))
              }
            />
          ) : isHttp ? (
            <Stack gap="sm">
              <Group align="flex-start" wrap="nowrap">
                <Select
                  label="Method"
                  data={['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']}
                  value={form.http.method}
                  onChange={(v) => v && set('http', { ...form.http, method: v })}
                  allowDeselect={false}
                  w={120}
                />
                <TextInput
                  label="URL"
                  placeholder="https://example.com/hook"
                  value={form.http.url}
                  onChange={(e) => set('http', { ...form.http, url: e.currentTarget.value })}
                  error={fieldError('http.url', 'http')}
                  style={{ flex: 1 }}
                />
              </Group>
              <KeyValueEditor
                label="Headers"
                keyLabel="Header"
                pairs={form.http.headers}
                onChange={(headers) => set('http', { ...form.http, headers })}
                error={fieldError('http.headers')}
              />
              <Textarea
                label="Body"
                autosize
                minRows={3}
                className="cr-mono"
                value={form.http.body}
                onChange={(e) => set('http', { ...form.http, body: e.currentTarget.value })}
                error={fieldError('http.body')}
              />
            </Stack>
          ) : (
            <Stack gap={4}>
              <CodeEditor
                value={form.script}
                onChange={(script: string) => set('script', script)}
                language={form.type as ScriptLanguage}
                label={`${form.type} script`}
                dark={dark}
              />
              <Text size="xs" c="dimmed">
                Ctrl-Space lists the SDK&apos;s functions (input, output, variables, condition,
                context).
              </Text>
              {fieldError('script') ? (
                <Text size="xs" c="red">
                  {fieldError('script')}
                </Text>
              ) : null}
            </Stack>
          )}
        </Card>

        <Card withBorder>
          <Title order={2} size="h4" mb="sm">
            Schedule
          </Title>
          <ScheduleBuilder
            value={form.schedule}
            onChange={(schedule) => set('schedule', schedule)}
            errors={errors}
          />
        </Card>

        {!isHttp && !isTool ? (
          <Card withBorder>
            <Title order={2} size="h4" mb="sm">
              Where it runs
            </Title>
            <Stack gap="sm">
              <SegmentedControl
                aria-label="Target"
                orientation={orientation}
                data={[
                  {
                    value: 'container',
                    label: 'Container',
                    disabled: settings.data ? !settings.data.targets.containers : false,
                  },
                  { value: 'local', label: 'Local process', disabled: !localAllowed },
                  { value: 'ssh', label: 'SSH servers' },
                ]}
                value={form.targetKind}
                onChange={(v) => set('targetKind', v as FormState['targetKind'])}
              />
              {fieldError('targetKind') ? (
                <Text size="xs" c="red">
                  {fieldError('targetKind')}
                </Text>
              ) : null}
              {form.targetKind === 'container' ? (
                <>
                  <TextInput
                    label="Image"
                    placeholder="ghcr.io/cronium/runner:1 (the default)"
                    value={form.image}
                    onChange={(e) => set('image', e.currentTarget.value)}
                    error={fieldError('image')}
                  />
                  <SimpleGrid cols={{ base: 1, sm: 3 }}>
                    <NumberInput
                      label="Memory (MB)"
                      description={caps ? `at most ${caps.memoryMb}` : 'the default'}
                      min={16}
                      max={caps?.memoryMb}
                      value={form.memoryMb}
                      onChange={(v) => set('memoryMb', v)}
                      error={fieldError('limits.memoryMb')}
                    />
                    <NumberInput
                      label="CPU (millicores)"
                      description={caps ? `at most ${caps.cpuMillis}` : 'the default'}
                      min={10}
                      max={caps?.cpuMillis}
                      value={form.cpuMillis}
                      onChange={(v) => set('cpuMillis', v)}
                      error={fieldError('limits.cpuMillis')}
                    />
                    <NumberInput
                      label="Processes"
                      description={caps ? `at most ${caps.pids}` : 'the default'}
                      min={8}
                      max={caps?.pids}
                      value={form.pids}
                      onChange={(v) => set('pids', v)}
                      error={fieldError('limits.pids')}
                    />
                  </SimpleGrid>
                  <Switch
                    label="Network access (the container network; admins only)"
                    disabled={!caps?.network}
                    checked={form.networkEnabled}
                    onChange={(e) => set('networkEnabled', e.currentTarget.checked)}
                    error={fieldError('networkEnabled')}
                  />
                </>
              ) : null}
              {form.targetKind === 'ssh' ? (
                <MultiSelect
                  label="Servers"
                  description="The script runs on each of them"
                  placeholder={servers.data?.length === 0 ? 'Add a server first' : 'Choose'}
                  data={(servers.data ?? []).map((s) => ({
                    value: String(s.id),
                    label: `${s.name} (${s.username}@${s.host})`,
                  }))}
                  value={form.serverIds}
                  onChange={(v) => set('serverIds', v)}
                  error={fieldError('serverIds')}
                  searchable
                />
              ) : null}
            </Stack>
          </Card>
        ) : null}

        <Card withBorder>
          <Title order={2} size="h4" mb="sm">
            Environment
          </Title>
          <Stack gap="md">
            <KeyValueEditor
              label="Environment variables"
              pairs={form.env}
              onChange={(env) => set('env', env)}
              error={fieldError('env')}
            />
            <Stack gap={6}>
              <Text size="sm" fw={500}>
                Secret environment variables
              </Text>
              <Text size="xs" c="dimmed">
                Stored encrypted and masked in logs; their values are never shown again.
              </Text>
              {form.secretKeys
                .filter((k) => !form.removedSecrets.includes(k))
                .map((name) => (
                  <Group key={name} gap="xs">
                    <Text className="cr-mono">{name}</Text>
                    <Text size="sm" c="dimmed">
                      ••••••
                    </Text>
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="red"
                      onClick={() => set('removedSecrets', [...form.removedSecrets, name])}
                    >
                      Remove
                    </Button>
                  </Group>
                ))}
              {form.newSecrets.map(([name, value], index) => (
                <Group key={index} gap="xs" wrap="nowrap">
                  <TextInput
                    aria-label={`Secret name ${index + 1}`}
                    placeholder="NAME"
                    className="cr-mono"
                    value={name}
                    onChange={(e) =>
                      set(
                        'newSecrets',
                        form.newSecrets.map((p, i) =>
                          i === index ? [e.currentTarget.value, p[1]] : p,
                        ),
                      )
                    }
                    style={{ flex: 1 }}
                  />
                  <PasswordInput
                    aria-label={`Secret value ${index + 1}`}
                    placeholder="value (at least 6 characters)"
                    value={value}
                    onChange={(e) =>
                      set(
                        'newSecrets',
                        form.newSecrets.map((p, i) =>
                          i === index ? [p[0], e.currentTarget.value] : p,
                        ),
                      )
                    }
                    style={{ flex: 2 }}
                  />
                </Group>
              ))}
              {fieldError('secretEnv') ? (
                <Text size="xs" c="red">
                  {fieldError('secretEnv')}
                </Text>
              ) : null}
              <Button
                size="xs"
                variant="subtle"
                w="fit-content"
                onClick={() => set('newSecrets', [...form.newSecrets, ['', '']])}
              >
                Add secret
              </Button>
            </Stack>
          </Stack>
        </Card>

        <EventActionsCard
          value={form.actions}
          onChange={(actions) => set('actions', actions)}
          credentials={credentials.data}
          eventId={event?.id}
          error={fieldError}
        />

        <Card withBorder>
          <Title order={2} size="h4" mb="sm">
            Limits, retries and concurrency
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <NumberInput
              label="Timeout (seconds)"
              min={1}
              value={form.timeoutSeconds}
              onChange={(v) => set('timeoutSeconds', v)}
              error={fieldError('timeoutSeconds')}
            />
            <NumberInput
              label="Attempts"
              description="1 means no retry"
              min={1}
              max={100}
              value={form.maxAttempts}
              onChange={(v) => set('maxAttempts', v)}
              error={fieldError('retry.maxAttempts')}
            />
            <NumberInput
              label="First retry after (seconds)"
              min={0}
              value={form.delaySeconds}
              onChange={(v) => set('delaySeconds', v)}
              error={fieldError('retry.delaySeconds')}
            />
            <NumberInput
              label="Backoff factor"
              min={1}
              max={10}
              step={0.5}
              decimalScale={2}
              value={form.backoffFactor}
              onChange={(v) => set('backoffFactor', v)}
              error={fieldError('retry.backoffFactor')}
            />
            <Select
              label="When a run is already going"
              data={[
                { value: 'allow', label: 'Run alongside (up to the maximum)' },
                { value: 'queue', label: 'Wait in the queue' },
                { value: 'skip', label: 'Skip the new run' },
                { value: 'replace', label: 'Cancel it and start the new one' },
              ]}
              value={form.concurrencyPolicy}
              onChange={(v) => v && set('concurrencyPolicy', v)}
              allowDeselect={false}
              error={fieldError('concurrency.policy')}
            />
            <NumberInput
              label="Runs at once (maximum)"
              min={1}
              max={1000}
              value={form.concurrencyMax}
              onChange={(v) => set('concurrencyMax', v)}
              error={fieldError('concurrency.max')}
            />
            <NumberInput
              label="Priority"
              description={me.role === 'admin' ? '-100 to 100' : '-100 to 0 (above 0: admins)'}
              min={-100}
              max={me.role === 'admin' ? 100 : 0}
              value={form.priority}
              onChange={(v) => set('priority', v)}
              error={fieldError('priority')}
            />
          </SimpleGrid>
        </Card>

        <Group justify="flex-end">
          <Button variant="default" onClick={() => router.back()}>
            Cancel
          </Button>
          <Button type="submit" loading={save.busy}>
            {event ? 'Save changes' : 'Create event'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
