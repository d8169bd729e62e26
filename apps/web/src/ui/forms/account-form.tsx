'use client';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Button, Paper, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { FormError, useFormSubmit } from '../form-submit.tsx';

export interface AccountFields {
  email?: string;
  name: string;
  password: string;
  setupToken?: string;
}

/**
 * The form that creates an account: the first admin (setup) or an invited user. Field
 * problems from the API are shown next to their fields.
 */
export function AccountForm(props: {
  label: string;
  intro: ReactNode;
  askEmail: boolean;
  askSetupToken: boolean;
  submitLabel: string;
  onSubmit(fields: AccountFields): Promise<void>;
}) {
  const [fields, setFields] = useState<AccountFields>({ email: '', name: '', password: '' });
  const [confirm, setConfirm] = useState('');
  const set = (key: keyof AccountFields) => (e: { currentTarget: { value: string } }) => {
    // Read now: React may run the updater after the event is gone.
    const value = e.currentTarget.value;
    setFields((f) => ({ ...f, [key]: value }));
  };

  const form = useFormSubmit(() => props.onSubmit(fields), { leaves: true });
  const errors = form.fieldErrors;
  const submit = (e: FormEvent) => {
    if (fields.password === confirm) return form.submit(e);
    e.preventDefault();
    form.fail('', { confirm: 'The two passwords differ.' });
  };

  return (
    <Paper withBorder p="lg" component="form" onSubmit={submit} aria-label={props.label}>
      <Stack>
        <Text size="sm">{props.intro}</Text>
        <FormError error={form.error} />
        {props.askEmail ? (
          <TextInput
            label="Email"
            type="email"
            autoComplete="username"
            required
            value={fields.email}
            onChange={set('email')}
            error={errors.email}
          />
        ) : null}
        <TextInput
          label="Name"
          autoComplete="name"
          value={fields.name}
          onChange={set('name')}
          error={errors.name}
        />
        <PasswordInput
          label="Password"
          description="At least 10 characters"
          autoComplete="new-password"
          required
          minLength={10}
          value={fields.password}
          onChange={set('password')}
          error={errors.password}
        />
        <PasswordInput
          label="Password again"
          autoComplete="new-password"
          required
          value={confirm}
          onChange={(e) => setConfirm(e.currentTarget.value)}
          error={errors.confirm}
        />
        {props.askSetupToken ? (
          <TextInput
            label="Setup token"
            description="Printed in the web log at the first start, and kept in <data dir>/setup-token"
            required
            autoComplete="off"
            value={fields.setupToken ?? ''}
            onChange={set('setupToken')}
            error={errors.setupToken}
          />
        ) : null}
        <Button type="submit" loading={form.busy}>
          {props.submitLabel}
        </Button>
      </Stack>
    </Paper>
  );
}
