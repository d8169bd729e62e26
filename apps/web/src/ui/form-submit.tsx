'use client';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Alert } from '@mantine/core';
import { ApiProblem } from './api.ts';

export interface FormSubmit {
  /** The form's onSubmit: runs the action once at a time. */
  submit(event?: FormEvent): Promise<void>;
  busy: boolean;
  /** What went wrong, for `FormError`. */
  error: string | undefined;
  /** The API's field messages by dotted path (`schedule.cron`), for each field's `error`. */
  fieldErrors: Record<string, string>;
  /** Fails without asking the server (a check the form makes itself). */
  fail(message: string, fieldErrors?: Record<string, string>): void;
}

/**
 * What every form does around its request: busy while it runs, the problem's message and its
 * field errors (problem+json pointers) when it fails. With `leaves`, the form stays busy after
 * success, because the page is going away (no second submit while the next page loads).
 */
export function useFormSubmit(
  action: () => Promise<void>,
  options: { leaves?: boolean; explain?(problem: unknown): string | undefined } = {},
): FormSubmit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const fail = (message: string, fields: Record<string, string> = {}) => {
    setError(message);
    setFieldErrors(fields);
  };
  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    setFieldErrors({});
    try {
      await action();
      if (!options.leaves) setBusy(false);
    } catch (problem) {
      fail(
        options.explain?.(problem) ??
          (problem instanceof Error ? problem.message : String(problem)),
        problem instanceof ApiProblem ? problem.fieldErrors() : {},
      );
      setBusy(false);
    }
  };
  return { submit, busy, error, fieldErrors, fail };
}

/** A form's failure, read out by screen readers when it appears; `children`: its details. */
export function FormError({
  error,
  title,
  children,
}: {
  error: string | undefined;
  title?: string;
  children?: ReactNode;
}) {
  return error ? (
    <Alert color="red" role="alert" title={title}>
      {error}
      {children}
    </Alert>
  ) : null;
}
