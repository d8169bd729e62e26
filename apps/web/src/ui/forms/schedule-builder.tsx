'use client';
import { useEffect, useMemo, useState } from 'react';
import { Alert, Group, List, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { ApiProblem, get } from '../api.ts';
import { formatInZone } from '../components.tsx';
import type { SchedulePreview } from '../types.ts';

export interface ScheduleValue {
  cron: string;
  timezone: string;
  misfirePolicy: 'all' | 'last' | 'none';
}

const PRESETS = [
  { value: '* * * * *', label: 'Every minute' },
  { value: '*/5 * * * *', label: 'Every 5 minutes' },
  { value: '0 * * * *', label: 'Every hour' },
  { value: '0 9 * * *', label: 'Every day at 09:00' },
  { value: '0 9 * * 1-5', label: 'Weekdays at 09:00' },
  { value: '0 9 * * 1', label: 'Mondays at 09:00' },
  { value: '0 0 1 * *', label: 'First of the month at 00:00' },
];

function timeZones(): string[] {
  try {
    return ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
  } catch {
    return ['UTC'];
  }
}

/**
 * Cron text or a preset, a time zone, the misfire policy, and the next five fires as the
 * orchestrator's scheduler computes them (GET /api/v1/schedules/preview).
 */
export function ScheduleBuilder(props: {
  value: ScheduleValue | null;
  onChange(value: ScheduleValue | null): void;
  errors: Record<string, string>;
}) {
  const zones = useMemo(timeZones, []);
  const viewerZone = useMemo(() => Intl.DateTimeFormat().resolvedOptions().timeZone, []);
  const schedule = props.value;
  const [debounced] = useDebouncedValue(schedule, 300);
  const [preview, setPreview] = useState<SchedulePreview>();
  const [previewError, setPreviewError] = useState<string>();

  useEffect(() => {
    if (!debounced?.cron.trim()) {
      setPreview(undefined);
      setPreviewError(undefined);
      return;
    }
    let current = true;
    get<SchedulePreview>('/schedules/preview', {
      cron: debounced.cron,
      timezone: debounced.timezone,
      count: 5,
    })
      .then((p) => {
        if (!current) return;
        setPreview(p);
        setPreviewError(undefined);
      })
      .catch((e) => {
        if (!current) return;
        setPreview(undefined);
        setPreviewError(e instanceof ApiProblem ? e.message : String(e));
      });
    return () => {
      current = false;
    };
  }, [debounced]);

  const set = (patch: Partial<ScheduleValue>) =>
    schedule && props.onChange({ ...schedule, ...patch });

  return (
    <Stack gap="sm">
      <Switch
        label="Run on a schedule"
        checked={schedule !== null}
        onChange={(e) =>
          props.onChange(
            e.currentTarget.checked
              ? { cron: '0 9 * * *', timezone: viewerZone, misfirePolicy: 'last' }
              : null,
          )
        }
      />
      {schedule ? (
        <>
          <Group grow align="flex-start" wrap="wrap">
            <Select
              label="Preset"
              placeholder="Custom"
              data={PRESETS}
              value={PRESETS.some((p) => p.value === schedule.cron) ? schedule.cron : null}
              onChange={(v) => v && set({ cron: v })}
              miw={200}
            />
            <TextInput
              label="Cron expression"
              description="minute hour day month weekday"
              value={schedule.cron}
              onChange={(e) => set({ cron: e.currentTarget.value })}
              error={props.errors['schedule.cron'] ?? props.errors.schedule}
              className="cr-mono"
              miw={200}
            />
          </Group>
          <Group grow align="flex-start" wrap="wrap">
            <Select
              label="Time zone"
              searchable
              data={zones}
              value={schedule.timezone}
              onChange={(v) => v && set({ timezone: v })}
              error={props.errors['schedule.timezone']}
              miw={200}
              allowDeselect={false}
            />
            <Select
              label="Missed fires (misfire policy)"
              description="What happens to fires missed while Cronium was down"
              data={[
                { value: 'last', label: 'Run the latest once' },
                { value: 'all', label: 'Run every one missed' },
                { value: 'none', label: 'Skip them' },
              ]}
              value={schedule.misfirePolicy}
              onChange={(v) => v && set({ misfirePolicy: v as ScheduleValue['misfirePolicy'] })}
              allowDeselect={false}
              miw={200}
            />
          </Group>
          {previewError ? (
            <Alert color="red" role="alert" title="This schedule cannot be used">
              {previewError}
            </Alert>
          ) : preview ? (
            <div aria-live="polite" data-testid="schedule-preview">
              <Text size="sm" fw={500}>
                Next fires
              </Text>
              <List size="sm">
                {preview.fires.map((fire) => (
                  <List.Item key={String(fire.at)}>
                    {formatInZone(fire.at, preview.timezone)} ({preview.timezone})
                    {preview.timezone !== viewerZone ? (
                      <Text span c="dimmed" size="xs">
                        {' '}
                        · {formatInZone(fire.at)} your time
                      </Text>
                    ) : null}
                    {fire.dstShift ? (
                      <Text span c="orange" size="xs">
                        {' '}
                        · {fire.dstShift}
                      </Text>
                    ) : null}
                  </List.Item>
                ))}
              </List>
            </div>
          ) : null}
        </>
      ) : null}
    </Stack>
  );
}
