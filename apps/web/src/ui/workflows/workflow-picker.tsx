'use client';
import { SearchablePicker, type PickerProps } from '../forms/searchable-picker.tsx';

/**
 * A searchable choice of one of the user's workflows, found by name (newest first);
 * `exclude` is the workflow being edited.
 */
export function WorkflowPicker(props: PickerProps) {
  return <SearchablePicker kind="workflows" {...props} />;
}
