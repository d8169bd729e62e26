'use client';
import { useState } from 'react';
import { Alert, Button, Group, Modal, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { api } from '../../../ui/api.ts';
import { apiAction } from '../../../ui/api-action.ts';
import { FormError, useFormSubmit } from '../../../ui/form-submit.tsx';
import { PageHeader, ShownOnce, StatusBadge, Time } from '../../../ui/components.tsx';
import { useMe } from '../../../ui/session.tsx';
import type { User } from '../../../ui/types.ts';
import { ListTable } from '../../../ui/list-table.tsx';
import { useResource } from '../../../ui/use-resource.ts';
import { RowButton } from '../../../ui/row-actions.tsx';

const ROLES = [
  { value: 'user', label: 'user' },
  { value: 'admin', label: 'admin' },
];

function Invite({ onInvited }: { onInvited(link: string): void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<string | null>('user');
  const form = useFormSubmit(async () => {
    const invitation = await api<{ invitationToken: string }>('POST', '/invitations', {
      email,
      role,
    });
    onInvited(
      `${window.location.origin}/invitation#token=${encodeURIComponent(invitation.invitationToken)}`,
    );
  });
  const errors = form.fieldErrors;
  return (
    <form onSubmit={form.submit} aria-label="Invite a user">
      <Stack>
        <FormError error={form.error} />
        <TextInput
          label="Email"
          type="email"
          required
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={errors.email}
        />
        <Select
          label="Role"
          data={[
            { value: 'user', label: 'User: their own events, runs, servers and variables' },
            { value: 'admin', label: 'Admin: everything, including users and settings' },
          ]}
          value={role}
          onChange={setRole}
          allowDeselect={false}
          error={errors.role}
        />
        <Group justify="flex-end">
          <Button type="submit" loading={form.busy}>
            Create invitation
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export default function UsersPage() {
  const me = useMe();
  const users = useResource<User[]>(me.role === 'admin' ? '/users' : null);
  const [opened, { open, close }] = useDisclosure(false);
  const [link, setLink] = useState<string>();
  const finish = () => {
    close();
    setLink(undefined);
    void users.reload();
  };
  /** Applied at once on the page, then the server's answer (or the old state) replaces it. */
  const change = async (user: User, patch: { disabled?: boolean; role?: string }, done: string) => {
    users.setData((list) =>
      list?.map((u) =>
        u.id === user.id
          ? {
              ...u,
              ...(patch.role ? { role: patch.role } : {}),
              ...(patch.disabled === undefined
                ? {}
                : { status: patch.disabled ? 'disabled' : 'active' }),
            }
          : u,
      ),
    );
    await apiAction(() => api('PATCH', `/users/${user.id}`, patch), {
      done,
      failed: 'The user could not be changed',
    });
    await users.reload();
  };
  const setDisabled = (user: User, disabled: boolean) =>
    change(user, { disabled }, `${user.email} ${disabled ? 'disabled' : 'enabled'}`);
  const setRole = (user: User, role: string) =>
    change(user, { role }, `${user.email} is now ${role === 'admin' ? 'an admin' : 'a user'}`);
  if (me.role !== 'admin')
    return (
      <Alert color="yellow" title="Admins only">
        Only an admin manages users.
      </Alert>
    );
  return (
    <>
      <PageHeader
        title="Users"
        description="Who may use this Cronium"
        actions={<Button onClick={open}>Invite user</Button>}
      />
      <ListTable
        resource={users}
        label="Users"
        head={
          <>
            <Table.Th>Email</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th visibleFrom="sm">Last sign-in</Table.Th>
            <Table.Th />
          </>
        }
      >
        {(users.data ?? []).map((u) => (
          <Table.Tr key={u.id}>
            <Table.Td>
              {u.email}
              {u.name ? (
                <Text size="xs" c="dimmed">
                  {u.name}
                </Text>
              ) : null}
            </Table.Td>
            <Table.Td>
              {u.id === me.id || u.status === 'invited' ? (
                u.role
              ) : (
                <Select
                  size="xs"
                  w={110}
                  aria-label={`Role of ${u.email}`}
                  data={ROLES}
                  value={u.role}
                  allowDeselect={false}
                  onChange={(role) => role && role !== u.role && void setRole(u, role)}
                />
              )}
            </Table.Td>
            <Table.Td>
              <StatusBadge status={u.status} />
            </Table.Td>
            <Table.Td visibleFrom="sm">
              <Time value={u.lastLoginAt} />
            </Table.Td>
            <Table.Td>
              {u.id === me.id ? null : u.status === 'disabled' ? (
                <RowButton onClick={() => setDisabled(u, false)}>Enable</RowButton>
              ) : (
                <RowButton
                  danger
                  onClick={() => setDisabled(u, true)}
                  aria-label={`Disable ${u.email}`}
                >
                  Disable
                </RowButton>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <Modal
        opened={opened}
        onClose={finish}
        title={link ? 'Invitation link' : 'Invite a user'}
        size="lg"
      >
        {link ? (
          <ShownOnce value={link} testId="invitation-link" copyLabel="Copy link" onDone={finish}>
            <Text size="sm">
              Send this link to them; it works once. They choose their password when they open it.
            </Text>
          </ShownOnce>
        ) : (
          <Invite onInvited={setLink} />
        )}
      </Modal>
    </>
  );
}
