'use client';
import { useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { Center, Loader } from '@mantine/core';
import { api, get } from '../../../ui/api.ts';
import { AccountForm } from '../../../ui/forms/account-form.tsx';

export default function SetupPage() {
  const router = useRouter();
  const [state, setState] = useState<{ needed: boolean; tokenRequired: boolean }>();
  useEffect(() => {
    get<{ needed: boolean; tokenRequired: boolean }>('/setup').then((s) => {
      if (!s.needed) router.replace('/signin');
      else setState(s);
    });
  }, [router]);
  if (!state)
    return (
      <Center>
        <Loader size="sm" aria-label="Loading" />
      </Center>
    );
  return (
    <AccountForm
      label="Create the first admin"
      intro="Welcome. Create the first administrator: this account manages users and the installation's settings."
      askEmail
      askSetupToken={state.tokenRequired}
      submitLabel="Create admin and sign in"
      onSubmit={async ({ email, name, password, setupToken }) => {
        await api('POST', '/setup', {
          email,
          password,
          ...(name ? { name } : {}),
          ...(setupToken ? { setupToken: setupToken.trim() } : {}),
        });
        await api('POST', '/sessions', { email, password });
        router.replace('/');
      }}
    />
  );
}
