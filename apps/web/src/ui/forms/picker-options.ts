import type { ComboboxItem } from '@mantine/core';

/**
 * A picker's options: the items a search found (by id, named), without the one not to offer,
 * and the chosen one first when the search does not list it (another search was typed, or it
 * was given by an address or a saved form), so the field keeps showing its name.
 */
export function pickerOptions(
  found: readonly { id: number; name: string }[],
  chosen: ComboboxItem | null,
  value: string | null,
  exclude?: number,
): ComboboxItem[] {
  const options = found
    .filter((item) => item.id !== exclude)
    .map((item) => ({ value: String(item.id), label: item.name }));
  if (chosen && chosen.value === value && !options.some((o) => o.value === chosen.value))
    options.unshift(chosen);
  return options;
}
