'use client';
import {
  Card,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { ScheduleBuilder } from '../forms/schedule-builder.tsx';
import type { Draft } from './workflow-graph.ts';

/** A workflow's own fields: name, description, active, concurrency, timeout, schedule. */
export function WorkflowSettings(props: {
  draft: Draft;
  set<K extends keyof Draft>(key: K, value: Draft[K]): void;
  /** The API's problems by field (`name`, `concurrency.policy`). */
  errors: Record<string, string>;
}) {
  return (
    <Card withBorder>
      <Stack gap="sm">
        <TextInput
          label="Name"
          required
          value={props.draft.name}
          onChange={(e) => props.set('name', e.currentTarget.value)}
          error={props.errors.name}
        />
        <Textarea
          label="Description"
          autosize
          minRows={1}
          value={props.draft.description}
          onChange={(e) => props.set('description', e.currentTarget.value)}
          error={props.errors.description}
        />
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Switch
            label="Active (paused workflows run only by hand)"
            checked={props.draft.active}
            onChange={(e) => props.set('active', e.currentTarget.checked)}
            mt={{ base: 0, sm: 28 }}
          />
          <Select
            label="When a run is already going"
            data={[
              { value: 'allow', label: 'Run alongside' },
              { value: 'skip', label: 'Skip the new run' },
            ]}
            value={props.draft.concurrency}
            onChange={(v) => v && props.set('concurrency', v as Draft['concurrency'])}
            allowDeselect={false}
            error={props.errors['concurrency.policy']}
          />
          <NumberInput
            label="Timeout (seconds)"
            description="A run still running then ends as timed out (at most 7 days)"
            min={1}
            max={604_800}
            value={props.draft.timeoutSeconds}
            onChange={(v) => props.set('timeoutSeconds', v)}
            error={props.errors.timeoutSeconds}
          />
        </SimpleGrid>
        <Title order={2} size="h5">
          Schedule
        </Title>
        <ScheduleBuilder
          value={props.draft.schedule}
          onChange={(schedule) => props.set('schedule', schedule)}
          errors={props.errors}
        />
      </Stack>
    </Card>
  );
}
