'use client';
import { useState } from 'react';
import { Select, type ComboboxItem, type SelectProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import type { EventItem, EventListItem } from '../types.ts';
import { useResource } from '../use-resource.ts';

/**
 * A searchable choice of one of the user's events (by id, as text). The search asks the API
 * (debounced) for the first 50 events by name; the chosen event keeps its name when a search
 * no longer lists it, or when it was given (an address, a saved form) and is not among them.
 */
export function EventPicker({
  value,
  onChange,
  exclude,
  ...props
}: {
  value: string | null;
  /** The chosen event's id, and its option (its name is the label). */
  onChange: (value: string | null, option: ComboboxItem | null) => void;
  /** An event not to offer (the one being edited). */
  exclude?: number;
} & Omit<SelectProps, 'value' | 'onChange' | 'data' | 'searchable' | 'onSearchChange'>) {
  const [typed, setTyped] = useState('');
  const [search] = useDebouncedValue(typed, 250);
  const events = useResource<{ events: EventListItem[] }>('/events', {
    q: search,
    limit: 50,
    sort: 'name',
  });
  const [picked, setPicked] = useState<ComboboxItem | null>(null);
  const given = useResource<EventItem>(value && !picked ? `/events/${value}` : null);
  const chosen =
    picked ?? (given.data ? { value: String(given.data.id), label: given.data.name } : null);
  const options = (events.data?.events ?? [])
    .filter((e) => e.id !== exclude)
    .map((e) => ({ value: String(e.id), label: e.name }));
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
