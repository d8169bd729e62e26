import { Suspense } from 'react';
import { Text } from '@mantine/core';
import { checkDatabase } from '@cronium/db';
import { webDeps } from '../../../server/web-deps.ts';
import { SignInForm } from '../../../ui/forms/sign-in-form.tsx';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Sign in' };

/**
 * The sign-in page, which anyone who reaches the web port sees: besides the form, the version
 * and whether the database is there, nothing more (no counts: they would tell a stranger about
 * the installation; no driver messages).
 */
export default async function SignInPage() {
  const { db, version } = webDeps();
  const healthy = (await checkDatabase(db)).status === 'healthy';
  return (
    <>
      <Suspense>
        <SignInForm />
      </Suspense>
      <Text size="xs" c="dimmed" ta="center">
        Version {version} · database{' '}
        {healthy ? 'connected, schema up to date' : 'not available (see the web log)'} ·{' '}
        <a href="/api/v1/openapi.json">API</a>
      </Text>
    </>
  );
}
