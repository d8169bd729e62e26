'use client';
import { useState } from 'react';
import { Select, type ComboboxItem, type SelectProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import type { Query } from '../api.ts';
import { useResource } from '../use-resource.ts';
import { pickerOptions } from './picker-options.ts';

export interface PickerProps extends Omit<
  SelectProps,
  'value' | 'onChange' | 'data' | 'searchable' | 'onSearchChange'
> {
  value: string | null;
  /** The chosen item's id, and its option (its name is the label). */
  onChange: (value: string | null, option: ComboboxItem | null) => void;
  /** An item not to offer (the one being edited). */
  exclude?: number;
}

/**
 * A searchable choice of one of the user's events or workflows (by id, as text). The search
 * asks the API (debounced) for the first 50 by name; the chosen one keeps its name when a
 * search no longer lists it, or when it was given (an address, a saved form) and is not among
 * them: its name is then read from its own path.
 */
export function SearchablePicker({
  kind,
  query,
  value,
  onChange,
  exclude,
  ...props
}: PickerProps & {
  kind: 'events' | 'workflows';
  /** More of the list's query (its order). */
  query?: Query;
}) {
  const [typed, setTyped] = useState('');
  const [search] = useDebouncedValue(typed, 250);
  const list = useResource<Partial<Record<typeof kind, { id: number; name: string }[]>>>(
    `/${kind}`,
    { q: search, limit: 50, ...query },
  );
  const [picked, setPicked] = useState<ComboboxItem | null>(null);
  const given = useResource<{ id: number; name: string }>(
    value && !picked ? `/${kind}/${value}` : null,
  );
  const chosen =
    picked ?? (given.data ? { value: String(given.data.id), label: given.data.name } : null);
  return (
    <Select
      {...props}
      searchable
      onSearchChange={setTyped}
      data={pickerOptions(list.data?.[kind] ?? [], chosen, value, exclude)}
      value={value}
      onChange={(next, option) => {
        onChange(next, next ? option : null);
        setPicked(next ? option : null);
      }}
    />
  );
}
