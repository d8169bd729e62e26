'use client';
import { useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { Alert } from '@mantine/core';
import { api } from '../../../ui/api.ts';
import { AccountForm } from '../../../ui/forms/account-form.tsx';

/**
 * Accepting an invitation: the link carries the token after `#`, so it never reaches a server
 * log or a Referer header.
 */
export default function InvitationPage() {
  const router = useRouter();
  const [token, setToken] = useState<string | null>();
  useEffect(() => {
    setToken(new URLSearchParams(window.location.hash.slice(1)).get('token'));
  }, []);
  if (token === undefined) return null;
  if (!token)
    return (
      <Alert color="red" role="alert" title="This invitation link is incomplete">
        Open the whole link you were sent (it ends with #token=…), or ask for a new invitation.
      </Alert>
    );
  return (
    <AccountForm
      label="Accept the invitation"
      intro="You were invited to Cronium. Choose your password to create your account."
      askEmail={false}
      askSetupToken={false}
      submitLabel="Create my account"
      onSubmit={async ({ name, password }) => {
        const user = await api<{ email: string }>('POST', '/invitations/accept', {
          token,
          password,
          ...(name ? { name } : {}),
        });
        await api('POST', '/sessions', { email: user.email, password });
        router.replace('/');
      }}
    />
  );
}
