'use client';
import { useEffect, useState, type ReactNode } from 'react';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import {
  ActionIcon,
  AppShell,
  Burger,
  Center,
  Group,
  Loader,
  Menu,
  NavLink,
  ScrollArea,
  Text,
  UnstyledButton,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { api, ApiProblem, get, whenSignedOut } from './api.ts';
import { SessionContext } from './session.tsx';
import type { User } from './types.ts';

const NAV: { href: string; label: string; admin?: boolean }[] = [
  { href: '/', label: 'Dashboard' },
  { href: '/events', label: 'Events' },
  { href: '/workflows', label: 'Workflows' },
  { href: '/runs', label: 'Runs' },
  { href: '/servers', label: 'Servers' },
  { href: '/variables', label: 'Variables' },
  { href: '/tools', label: 'Tools' },
  { href: '/tokens', label: 'API tokens' },
  { href: '/users', label: 'Users', admin: true },
  { href: '/audit', label: 'Audit log', admin: true },
  { href: '/settings', label: 'Settings' },
];

function isCurrent(pathname: string, href: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}

function ThemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light', { getInitialValueInEffect: true });
  const next = scheme === 'dark' ? 'light' : 'dark';
  return (
    <ActionIcon
      variant="default"
      size="lg"
      aria-label={`Switch to the ${next} theme`}
      onClick={() => setColorScheme(next)}
    >
      <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">
        {scheme === 'dark' ? (
          <path d="M12 18a6 6 0 1 1 0-12 6 6 0 0 1 0 12Zm0-2a4 4 0 1 0 0-8 4 4 0 0 0 0 8ZM11 1h2v3h-2V1Zm0 19h2v3h-2v-3ZM3.5 4.9l1.4-1.4 2.1 2.1-1.4 1.4-2.1-2.1Zm13.1 13.1 1.4-1.4 2.1 2.1-1.4 1.4-2.1-2.1ZM1 11h3v2H1v-2Zm19 0h3v2h-3v-2Z" />
        ) : (
          <path d="M10 2a8 8 0 1 0 12 9.5A9 9 0 0 1 10 2Z" />
        )}
      </svg>
    </ActionIcon>
  );
}

/**
 * The signed-in frame: navigation (a drawer below 768 px), theme switch and the user's menu.
 * It reads /api/v1/me first; without a session it sends the user to sign in (or to set up).
 */
export function CroniumShell({ children }: { children: ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const [opened, { toggle, close }] = useDisclosure();
  const [me, setMe] = useState<User>();
  const [failure, setFailure] = useState<string>();

  useEffect(() => {
    const toSignIn = () =>
      router.replace(`/signin?next=${encodeURIComponent(window.location.pathname)}`);
    whenSignedOut(toSignIn);
    get<User>('/me')
      .then(setMe)
      .catch(async (problem) => {
        if (problem instanceof ApiProblem && problem.status === 401) {
          const setup = await get<{ needed: boolean }>('/setup').catch(() => ({ needed: false }));
          if (setup.needed) router.replace('/setup');
          else toSignIn();
        } else setFailure(problem instanceof Error ? problem.message : String(problem));
      });
    return () => whenSignedOut(undefined);
  }, [router]);

  useEffect(close, [pathname, close]);

  if (!me)
    return (
      <Center mih="100vh">
        {failure ? <Text c="red">{failure}</Text> : <Loader aria-label="Loading" />}
      </Center>
    );

  const signOut = async () => {
    await api('DELETE', '/sessions/current').catch(() => undefined);
    router.replace('/signin');
  };

  return (
    <SessionContext.Provider value={me}>
      <AppShell
        header={{ height: 56 }}
        navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
        padding="md"
      >
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap">
              <Burger
                opened={opened}
                onClick={toggle}
                hiddenFrom="sm"
                size="sm"
                aria-label="Navigation"
              />
              <Text
                component={Link}
                href="/"
                fw={700}
                size="lg"
                style={{ textDecoration: 'none', color: 'inherit' }}
              >
                Cronium
              </Text>
            </Group>
            <Group gap="xs" wrap="nowrap">
              <ThemeToggle />
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <UnstyledButton
                    aria-label={`${me.name || me.email}: account menu`}
                    px="xs"
                    style={{ maxWidth: 200 }}
                  >
                    <Text size="sm" truncate>
                      {me.name || me.email}
                    </Text>
                  </UnstyledButton>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Label>
                    {me.email} · {me.role}
                  </Menu.Label>
                  <Menu.Item onClick={signOut}>Sign out</Menu.Item>
                </Menu.Dropdown>
              </Menu>
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="xs" aria-label="Main">
          <ScrollArea>
            {NAV.filter((item) => !item.admin || me.role === 'admin').map((item) => (
              <NavLink
                key={item.href}
                component={Link}
                href={item.href}
                label={item.label}
                active={isCurrent(pathname, item.href)}
                aria-current={isCurrent(pathname, item.href) ? 'page' : undefined}
              />
            ))}
          </ScrollArea>
        </AppShell.Navbar>
        <AppShell.Main>{children}</AppShell.Main>
      </AppShell>
    </SessionContext.Provider>
  );
}
