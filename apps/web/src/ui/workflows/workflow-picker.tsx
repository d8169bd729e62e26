'use client';
import { useState } from 'react';
import { Select, type ComboboxItem, type SelectProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import type { Workflow, WorkflowListItem } from '../types.ts';
import { useResource } from '../use-resource.ts';

/**
 * A searchable choice of one of the user's workflows (by id, as text), like the event picker:
 * the first 50 whose name matches what is typed; `exclude` is the workflow being edited.
 */
export function WorkflowPicker({
  value,
  onChange,
  exclude,
  ...props
}: {
  value: string | null;
  onChange: (value: string | null, option: ComboboxItem | null) => void;
  exclude?: number;
} & Omit<SelectProps, 'value' | 'onChange' | 'data' | 'searchable' | 'onSearchChange'>) {
  const [typed, setTyped] = useState('');
  const [search] = useDebouncedValue(typed, 250);
  const workflows = useResource<{ workflows: WorkflowListItem[] }>('/workflows', {
    q: search,
    limit: 50,
  });
  const [picked, setPicked] = useState<ComboboxItem | null>(null);
  const given = useResource<Workflow>(value && !picked ? `/workflows/${value}` : null);
  const chosen =
    picked ?? (given.data ? { value: String(given.data.id), label: given.data.name } : null);
  const options = (workflows.data?.workflows ?? [])
    .filter((w) => w.id !== exclude)
    .map((w) => ({ value: String(w.id), label: w.name }));
  if (chosen && chosen.value === value && !options.some((o) => o.value === chosen.value))
    options.unshift(chosen);
  return (
    <Select
      {...props}
      searchable
      onSearchChange={setTyped}
      data={options}
      value={value}
      onChange={(next, option) => {
        onChange(next, next ? option : null);
        setPicked(next ? option : null);
      }}
    />
  );
}
