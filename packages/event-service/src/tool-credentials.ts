import { auditAction, isAdmin, type Principal, type RequestMeta } from '@cronium/accounts';
import type { ToolKind } from '@cronium/contracts';
import type { SecretBox } from '@cronium/crypto';
import {
  deleteToolCredential,
  findToolCredential,
  insertToolCredential,
  listToolCredentials,
  readToolCredentialConfig,
  updateToolCredential,
  type Db,
  type ToolCredentialRow,
} from '@cronium/db';
import { checkedLookup, type EgressPolicy } from '@cronium/egress';
import { AppError } from '@cronium/service-kit/errors';
import {
  sendToolAction,
  validateToolCredential,
  type FieldError,
  type ToolAction,
  type ToolContext,
  type ToolResult,
} from '@cronium/tools';

/** A tool credential as the API shows it: never its configuration. */
export function toolCredentialView(row: ToolCredentialRow) {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type ToolCredentialView = ReturnType<typeof toolCredentialView>;

/** The configuration, checked for its kind; a 422 with pointers under `/body/config`. */
function checkedConfig(kind: ToolKind, config: unknown): unknown {
  const checked = validateToolCredential(kind, config);
  if (checked.ok) return checked.value;
  throw new AppError('UNPROCESSABLE', `not a valid ${kind} configuration`, {
    errors: checked.errors.map((e: FieldError) => ({
      pointer: `/body/config${e.pointer}`,
      message: e.message,
    })),
  });
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === '23505';
}

function nameTaken(name: string): AppError {
  return new AppError('CONFLICT', `you already have a tool credential named ${name}`, {
    errors: [{ pointer: '/body/name', message: 'already used by another of your credentials' }],
  });
}

export async function listToolCredentialViews(
  db: Db,
  principal: Principal,
): Promise<ToolCredentialView[]> {
  return (await listToolCredentials(db, principal.userId)).map(toolCredentialView);
}

async function ownedCredential(db: Db, principal: Principal, id: number) {
  const row = await findToolCredential(db, principal.userId, id);
  if (!row) throw new AppError('NOT_FOUND', `no tool credential ${id}`);
  return row;
}

export async function readToolCredentialView(
  db: Db,
  principal: Principal,
  id: number,
): Promise<ToolCredentialView> {
  return toolCredentialView(await ownedCredential(db, principal, id));
}

/**
 * Stores a credential of the caller's, its configuration (SMTP password, webhook URL, bot
 * token) encrypted and never returned; the audit entry names it, never its configuration.
 */
export async function createToolCredential(
  db: Db,
  box: SecretBox,
  principal: Principal,
  input: { kind: ToolKind; name: string; config: unknown },
  meta: RequestMeta,
): Promise<ToolCredentialView> {
  const config = checkedConfig(input.kind, input.config);
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await insertToolCredential(trx, box, {
        ownerId: principal.userId,
        kind: input.kind,
        name: input.name,
        config,
      });
      await auditAction(trx, principal, meta, {
        action: 'tool_credential.create',
        targetType: 'tool_credential',
        targetId: String(row.id),
        details: { kind: row.kind, name: row.name },
      });
      return toolCredentialView(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(input.name);
    throw error;
  }
}

/** Renames a credential or replaces its whole configuration (checked for its kind). */
export async function changeToolCredential(
  db: Db,
  box: SecretBox,
  principal: Principal,
  id: number,
  input: { name?: string; config?: unknown },
  meta: RequestMeta,
): Promise<ToolCredentialView> {
  const current = await ownedCredential(db, principal, id);
  const config = input.config === undefined ? undefined : checkedConfig(current.kind, input.config);
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await updateToolCredential(trx, box, id, {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(config !== undefined ? { config } : {}),
      });
      if (!row) throw new AppError('NOT_FOUND', `no tool credential ${id}`);
      await auditAction(trx, principal, meta, {
        action: 'tool_credential.update',
        targetType: 'tool_credential',
        targetId: String(id),
        details: { name: row.name, configReplaced: config !== undefined },
      });
      return toolCredentialView(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(input.name ?? current.name);
    throw error;
  }
}

export async function removeToolCredential(
  db: Db,
  principal: Principal,
  id: number,
  meta: RequestMeta,
): Promise<void> {
  await ownedCredential(db, principal, id);
  const inUse = () =>
    new AppError(
      'CONFLICT',
      `tool credential ${id} is used by an event or a workflow node: change or delete it first`,
    );
  try {
    await db.transaction().execute(async (trx) => {
      const users = await trx
        .selectFrom('events')
        .select('id')
        .where('tool_credential_id', '=', id)
        .union(trx.selectFrom('workflow_nodes').select('id').where('tool_credential_id', '=', id))
        .limit(1)
        .execute();
      if (users.length > 0) throw inUse();
      if (!(await deleteToolCredential(trx, principal.userId, id)))
        throw new AppError('NOT_FOUND', `no tool credential ${id}`);
      await auditAction(trx, principal, meta, {
        action: 'tool_credential.delete',
        targetType: 'tool_credential',
        targetId: String(id),
      });
    });
  } catch (error) {
    // An event was given this credential between the check and the delete (RESTRICT).
    const code = (error as { code?: string }).code;
    if (code === '23503' || code === '23001') throw inUse();
    throw error;
  }
}

/** How long a test message may take in all. */
export const TEST_MESSAGE_TIMEOUT_MS = 15_000;

/** The message a test sends, per kind (an email needs someone to send it to). */
function testAction(
  kind: ToolKind,
  credential: unknown,
  name: string,
  to: string[] | undefined,
): ToolAction {
  const text = `This is a test message from Cronium, sent with the credential "${name}".`;
  switch (kind) {
    case 'email':
      if (!to?.length)
        throw new AppError('UNPROCESSABLE', 'a test email needs an address to go to', {
          errors: [{ pointer: '/body/to', message: 'give at least one address' }],
        });
      return {
        kind,
        credential: credential as never,
        params: { to, subject: 'Cronium test message', text },
      };
    case 'slack':
      return { kind, credential: credential as never, params: { text } };
    case 'discord':
      return { kind, credential: credential as never, params: { content: text } };
    case 'teams':
      return { kind, credential: credential as never, params: { title: 'Cronium', text } };
    case 'webhook':
      return {
        kind,
        credential: credential as never,
        params: { body: JSON.stringify({ cronium: 'test', credential: name }) },
      };
  }
}

/** A context for a test message: no run exists, so templates see an empty one. */
const TEST_CONTEXT: ToolContext = {
  event: { id: 0, name: 'test message', type: 'tool' },
  run: {
    id: 0,
    status: 'succeeded',
    attempt: 1,
    durationMs: 0,
    exitCode: null,
    error: null,
    startedAt: null,
    finishedAt: null,
  },
  workflow: null,
  output: null,
  condition: null,
  input: null,
  logs: [],
  variables: {},
};

/**
 * Sends a test message with one of the caller's credentials, from the web process, under the
 * egress policy of the caller (admins reach internal ranges; every refusal is audited). The
 * answer is the tool's result: a failure is an answer too, not an HTTP error.
 */
export async function testToolCredential(
  db: Db,
  box: SecretBox,
  egress: EgressPolicy,
  principal: Principal,
  id: number,
  input: { to?: string[] },
  meta: RequestMeta,
): Promise<ToolResult> {
  const stored = await readToolCredentialConfig(db, box, principal.userId, id);
  if (!stored) throw new AppError('NOT_FOUND', `no tool credential ${id}`);
  const destination = checkedLookup(egress, { admin: isAdmin(principal) }, (refusal) =>
    auditAction(db, principal, meta, {
      action: 'egress.refused',
      targetType: 'tool_credential',
      targetId: String(id),
      details: { host: refusal.host, address: refusal.address, reason: refusal.reason },
    }),
  );
  const result = await sendToolAction({
    ...testAction(stored.kind, stored.config, stored.name, input.to),
    context: TEST_CONTEXT,
    egress: destination,
    signal: AbortSignal.timeout(TEST_MESSAGE_TIMEOUT_MS),
    timeoutMs: TEST_MESSAGE_TIMEOUT_MS,
  });
  await auditAction(db, principal, meta, {
    action: 'tool_credential.test',
    targetType: 'tool_credential',
    targetId: String(id),
    details: { ok: result.ok },
  });
  return result;
}
