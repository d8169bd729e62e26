'use client';
import { useEffect, useState } from 'react';
import {
  Badge,
  Button,
  Group,
  Modal,
  PasswordInput,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { api, get } from '../../../ui/api.ts';
import { apiAction } from '../../../ui/api-action.ts';
import { FormError, useFormSubmit } from '../../../ui/form-submit.tsx';
import { PageHeader, Time, notifyDone } from '../../../ui/components.tsx';
import { ListTable } from '../../../ui/list-table.tsx';
import { useResource } from '../../../ui/use-resource.ts';
import { RowActions, RowButton } from '../../../ui/row-actions.tsx';

interface VariableItem {
  key: string;
  isSecret: boolean;
  description: string;
  updatedAt: string;
  length: number | null;
}

function VariableForm(props: { initial?: VariableItem; onDone(): void }) {
  const editing = props.initial;
  const [key, setKey] = useState(editing?.key ?? '');
  const [value, setValue] = useState('');
  const [secret, setSecret] = useState(editing?.isSecret ?? false);
  const [description, setDescription] = useState(editing?.description ?? '');
  useEffect(() => {
    // A plain variable's value is shown for editing; a secret one never is.
    if (editing && !editing.isSecret)
      get<{ value: string | null }>(`/variables/${encodeURIComponent(editing.key)}`)
        .then((v) => setValue(v.value ?? ''))
        .catch(() => undefined);
  }, [editing]);

  const form = useFormSubmit(
    async () => {
      await api('PUT', `/variables/${encodeURIComponent(key)}`, { value, secret, description });
      notifyDone(`Variable ${key} saved`);
      props.onDone();
    },
    { leaves: true },
  );
  const errors = form.fieldErrors;

  return (
    <form onSubmit={form.submit} aria-label={editing ? `Edit ${editing.key}` : 'New variable'}>
      <Stack>
        <FormError error={form.error} />
        <TextInput
          label="Name"
          description="Letters, digits, _ . - (scripts read it with getVariable)"
          required
          disabled={!!editing}
          className="cr-mono"
          value={key}
          onChange={(e) => setKey(e.currentTarget.value)}
          error={errors.key || undefined}
        />
        {secret ? (
          <PasswordInput
            label="Value"
            description={
              editing
                ? 'The current value is never shown; enter a new one'
                : 'Stored encrypted; never shown again'
            }
            required
            value={value}
            onChange={(e) => setValue(e.currentTarget.value)}
            error={errors.value}
          />
        ) : (
          <Textarea
            label="Value"
            autosize
            minRows={2}
            required={!editing}
            value={value}
            placeholder={editing ? 'Loading…' : ''}
            onChange={(e) => setValue(e.currentTarget.value)}
            error={errors.value}
            className="cr-mono"
          />
        )}
        <Switch
          label="Secret (encrypted, masked in logs, never shown)"
          checked={secret}
          disabled={editing?.isSecret}
          onChange={(e) => setSecret(e.currentTarget.checked)}
        />
        <TextInput
          label="Description"
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          error={errors.description}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={form.busy}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export default function VariablesPage() {
  const list = useResource<{ variables: VariableItem[]; nextAfter: string | null }>('/variables', {
    limit: 500,
  });
  const [editing, setEditing] = useState<VariableItem | 'new'>();
  const [opened, { open, close }] = useDisclosure(false);
  const start = (v: VariableItem | 'new') => {
    setEditing(v);
    open();
  };
  const done = () => {
    close();
    void list.reload();
  };
  const remove = async (key: string) => {
    list.setData((d) => d && { ...d, variables: d.variables.filter((v) => v.key !== key) });
    await apiAction(() => api('DELETE', `/variables/${encodeURIComponent(key)}`), {
      done: `Variable ${key} deleted`,
      failed: 'The variable could not be deleted',
    });
    await list.reload();
  };
  const variables = list.data?.variables ?? [];
  return (
    <>
      <PageHeader
        title="Variables"
        description="Values your scripts read and write with getVariable and setVariable"
        actions={<Button onClick={() => start('new')}>New variable</Button>}
      />
      <ListTable
        resource={list}
        empty={variables.length === 0}
        emptyTitle="No variables yet"
        emptyText="Variables keep values between runs (a counter, a token, the last id seen). Secret ones are encrypted and masked in logs."
        emptyAction={<Button onClick={() => start('new')}>Create a variable</Button>}
        label="Variables"
        head={
          <>
            <Table.Th>Name</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th visibleFrom="sm">Description</Table.Th>
            <Table.Th visibleFrom="sm">Updated</Table.Th>
            <Table.Th />
          </>
        }
      >
        {variables.map((v) => (
          <Table.Tr key={v.key}>
            <Table.Td className="cr-mono">{v.key}</Table.Td>
            <Table.Td>
              {v.isSecret ? (
                <Badge color="grape" variant="light">
                  secret
                </Badge>
              ) : (
                <Text size="sm">{v.length ?? 0} characters</Text>
              )}
            </Table.Td>
            <Table.Td visibleFrom="sm">{v.description || '—'}</Table.Td>
            <Table.Td visibleFrom="sm">
              <Time value={v.updatedAt} />
            </Table.Td>
            <Table.Td>
              <RowActions>
                <RowButton onClick={() => start(v)}>Edit</RowButton>
                <RowButton danger onClick={() => remove(v.key)} aria-label={`Delete ${v.key}`}>
                  Delete
                </RowButton>
              </RowActions>
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <Modal
        opened={opened}
        onClose={close}
        title={editing === 'new' ? 'New variable' : `Edit ${editing?.key ?? ''}`}
      >
        {editing ? (
          <VariableForm
            key={editing === 'new' ? 'new' : editing.key}
            initial={editing === 'new' ? undefined : editing}
            onDone={done}
          />
        ) : null}
      </Modal>
    </>
  );
}
