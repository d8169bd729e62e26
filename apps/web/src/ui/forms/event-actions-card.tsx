'use client';
import { Button, Card, Group, SegmentedControl, Select, Stack, Text, Title } from '@mantine/core';
import { EventPicker } from './event-picker.tsx';
import { ToolActionFields, type ToolActionValue } from './tool-action-fields.tsx';
import { toolParamsOf, toolParamsText, type ToolKind } from './tool-params.ts';

/** One conditional action as the form edits it: a tool action, or an event to start. */
export interface ActionValue extends ToolActionValue {
  on: string;
  does: 'tool' | 'event';
  /** The event to start (does: 'event'), as text. */
  eventId: string | null;
}

/** One action as the API reads and writes it. */
export interface ApiAction {
  on: string;
  tool?: { credentialId: number; params: Record<string, unknown> };
  event?: { id: number };
}

const OUTCOMES = [
  { value: 'failure', label: 'On failure' },
  { value: 'success', label: 'On success' },
  { value: 'always', label: 'Always' },
  { value: 'condition_true', label: 'When its condition is true' },
  { value: 'condition_false', label: 'When its condition is false' },
];

export const MAX_ACTIONS = 20;

export function actionsFromApi(actions: ApiAction[] | undefined): ActionValue[] {
  return (actions ?? []).map((a) => ({
    on: a.on,
    does: a.event ? 'event' : 'tool',
    eventId: a.event ? String(a.event.id) : null,
    credentialId: a.tool ? String(a.tool.credentialId) : null,
    params: toolParamsText(a.tool?.params),
  }));
}

export function actionsToApi(
  actions: ActionValue[],
  kindOf: (credentialId: string | null) => ToolKind | undefined,
): ApiAction[] {
  return actions.map((a) =>
    a.does === 'event'
      ? { on: a.on, event: { id: Number(a.eventId) } }
      : {
          on: a.on,
          tool: {
            credentialId: Number(a.credentialId),
            params: toolParamsOf(kindOf(a.credentialId), a.params),
          },
        },
  );
}

/**
 * The "After each run" card of the event editor: what happens when a run ends (on success,
 * on failure, always, or by its condition): send a message through a tool credential, or
 * start another event with the run's output as its input.
 */
export function EventActionsCard(props: {
  value: ActionValue[];
  onChange(value: ActionValue[]): void;
  credentials: Parameters<typeof ToolActionFields>[0]['credentials'];
  /** The event being edited (not offered as a target). */
  eventId?: number;
  /** The API's field error at a path (`actions.0.tool.credentialId`). */
  error(...paths: string[]): string | undefined;
}) {
  const { value: actions, onChange } = props;
  const change = (i: number, patch: Partial<ActionValue>) =>
    onChange(actions.map((a, j) => (j === i ? { ...a, ...patch } : a)));
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">
        After each run
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        When a run ends (on success, on failure, always, or by the condition the script set), send a
        message with the run in its templates ({'{{ run.status }}'}, {'{{ output.rows }}'},{' '}
        {'{{ logs | last }}'}...), or start another event with the run&apos;s output as its input.
        Each happens once per run.
      </Text>
      <Stack gap="md">
        {actions.map((action, i) => (
          <Card key={i} withBorder padding="sm" aria-label={`Action ${i + 1}`} component="section">
            <Stack gap="sm">
              <Group justify="space-between" align="flex-end">
                <Group align="flex-end" gap="sm">
                  <Select
                    label="When"
                    data={OUTCOMES}
                    value={action.on}
                    onChange={(on) => on && change(i, { on })}
                    allowDeselect={false}
                    w={{ base: '100%', sm: 240 }}
                  />
                  <SegmentedControl
                    aria-label={`What action ${i + 1} does`}
                    data={[
                      { value: 'tool', label: 'Send a message' },
                      { value: 'event', label: 'Start an event' },
                    ]}
                    value={action.does}
                    onChange={(does) => change(i, { does: does as ActionValue['does'] })}
                  />
                </Group>
                <Button
                  variant="subtle"
                  color="red"
                  size="compact-sm"
                  onClick={() => onChange(actions.filter((_, j) => j !== i))}
                >
                  Remove action {i + 1}
                </Button>
              </Group>
              {action.does === 'event' ? (
                <EventPicker
                  label={`Event action ${i + 1} starts`}
                  placeholder="Search your events"
                  value={action.eventId}
                  onChange={(eventId) => change(i, { eventId })}
                  exclude={props.eventId}
                  error={props.error(`actions.${i}.event.id`, `actions.${i}`)}
                />
              ) : (
                <ToolActionFields
                  value={action}
                  onChange={(value) => change(i, value)}
                  credentials={props.credentials}
                  label={`Credential of action ${i + 1}`}
                  error={(path) => props.error(`actions.${i}.tool.${path}`)}
                />
              )}
            </Stack>
          </Card>
        ))}
        <Group>
          <Button
            variant="light"
            onClick={() =>
              onChange([
                ...actions,
                { on: 'failure', does: 'tool', credentialId: null, params: {}, eventId: null },
              ])
            }
            disabled={actions.length >= MAX_ACTIONS}
          >
            Add action
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
