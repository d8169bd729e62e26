'use client';
import { useEffect, useState } from 'react';
import { useRouter, useSearchParams } from 'next/navigation';
import { Alert, Anchor, Button, Paper, PasswordInput, Stack, TextInput } from '@mantine/core';
import { api, ApiProblem, get } from '../api.ts';
import { FormError, useFormSubmit } from '../form-submit.tsx';

/** Where to go after signing in: a path of this site only (never another origin). */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function SignInForm() {
  const router = useRouter();
  const params = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [setupNeeded, setSetupNeeded] = useState(false);

  useEffect(() => {
    get<{ needed: boolean }>('/setup')
      .then((s) => {
        if (s.needed) router.replace('/setup');
        setSetupNeeded(s.needed);
      })
      .catch(() => undefined);
  }, [router]);

  const form = useFormSubmit(
    async () => {
      await api('POST', '/sessions', { email, password });
      router.replace(safeNext(params.get('next')));
    },
    {
      leaves: true,
      explain: (problem) =>
        problem instanceof ApiProblem && problem.status === 400
          ? 'Enter your email address and password.'
          : undefined,
    },
  );

  return (
    <Paper withBorder p="lg" component="form" onSubmit={form.submit} aria-label="Sign in">
      <Stack>
        {setupNeeded ? (
          <Alert>
            No admin yet: <Anchor href="/setup">set Cronium up</Anchor>.
          </Alert>
        ) : null}
        <FormError error={form.error} />
        <TextInput
          label="Email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          data-autofocus
        />
        <PasswordInput
          label="Password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
        />
        <Button type="submit" loading={form.busy}>
          Sign in
        </Button>
      </Stack>
    </Paper>
  );
}
