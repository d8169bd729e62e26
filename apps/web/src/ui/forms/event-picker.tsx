'use client';
import { SearchablePicker, type PickerProps } from './searchable-picker.tsx';

/** A searchable choice of one of the user's events, found by name and listed by name. */
export function EventPicker(props: PickerProps) {
  return <SearchablePicker kind="events" query={{ sort: 'name' }} {...props} />;
}
