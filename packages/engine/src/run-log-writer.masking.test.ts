// Property: whatever a script prints, registered secrets in any form the masker knows never
// reach the store (and so never a WebSocket frame: ws sends only what the store holds).
import fc from 'fast-check';
import { SecretMasker } from '@cronium/log-masking';
import { ENCODINGS, ENCODING_NAMES, revealsValue } from '@cronium/log-masking/testing';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { claimRuns, readRunLogs, triggerRun } from '@cronium/run-queue';
import { LineSplitter } from '@cronium/executors';
import { RunLogWriter } from './run-log-writer.ts';

describe('run log masking (property, real store)', () => {
  let t: TestDatabase;
  let eventId: number;

  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 3 });
    eventId = await insertTestEvent(t.db, await insertTestUser(t.db), {
      concurrency_policy: 'allow',
    });
  });
  afterAll(() => t.destroy());

  const secretArb = fc
    .string({ minLength: 8, maxLength: 24, unit: 'grapheme-ascii' })
    .filter((s) => s.trim().length >= 8 && !s.includes('*') && !/\s/.test(s));
  const noiseArb = fc
    .string({ maxLength: 30, unit: 'grapheme-ascii' })
    .map((s) => s.replace(/\*/g, ''));

  it('stores no registered secret in any encoding, however the output is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(secretArb, { minLength: 1, maxLength: 3 }),
        fc.array(
          fc.record({
            before: noiseArb,
            secret: fc.nat(),
            encoding: fc.constantFrom(...ENCODING_NAMES),
            after: noiseArb,
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }),
        async (secrets, pieces, cuts) => {
          const { runId } = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as {
            runId: number;
          };
          const [claimed] = (
            await claimRuns(t.db, { owner: 'p', limit: 50, leaseMs: 60_000 })
          ).filter((c) => c.runId === runId);
          const masker = new SecretMasker(secrets);
          const writer = new RunLogWriter(
            t.db,
            { runId, attempt: claimed!.attempt, owner: 'p' },
            {
              maxBytes: 10_000_000,
              masker,
              onError: (error) => {
                throw error;
              },
            },
          );
          const output = pieces
            .map(
              (p) =>
                p.before + ENCODINGS[p.encoding](secrets[p.secret % secrets.length]!) + p.after,
            )
            .join('\n');
          // The process writes in arbitrary chunks; the executor's splitter makes lines.
          const splitter = new LineSplitter((text, continues) =>
            writer.push({ stream: 'stdout', at: new Date(), text, continues }),
          );
          let at = 0;
          for (const cut of cuts) {
            splitter.write(Buffer.from(output.slice(at, at + cut)));
            at += cut;
          }
          splitter.write(Buffer.from(output.slice(at)));
          splitter.flush();
          await writer.close();
          const stored = (await readRunLogs(t.db, runId, 0, 10_000)).map((l) => l.data).join('\n');
          for (const secret of secrets) expect(revealsValue(stored, secret)).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);

  /** Writes `output` through a real LineSplitter into the store, returns the stored lines. */
  async function store(secrets: string[], output: string): Promise<string[]> {
    const { runId } = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    const [claimed] = (await claimRuns(t.db, { owner: 'p', limit: 50, leaseMs: 60_000 })).filter(
      (c) => c.runId === runId,
    );
    const writer = new RunLogWriter(
      t.db,
      { runId, attempt: claimed!.attempt, owner: 'p' },
      {
        maxBytes: 10_000_000,
        masker: new SecretMasker(secrets),
        onError: (e) => {
          throw e;
        },
      },
    );
    const splitter = new LineSplitter((text, continues) =>
      writer.push({ stream: 'stdout', at: new Date(), text, continues }),
    );
    for (let i = 0; i < output.length; i += 1000)
      splitter.write(Buffer.from(output.slice(i, i + 1000)));
    splitter.flush();
    await writer.close();
    return (await readRunLogs(t.db, runId, 0, 10_000)).map((l) => l.data);
  }

  it('masks a secret that straddles the 16,384-character cut of a long line', async () => {
    const secret = 'tok_9fQ2xLpA7mZ3vR8sK1wE5yH0bN4cD6gJ';
    for (const shift of [1, 5, 17, 20, 35]) {
      for (const encoding of ['raw', 'json', 'base64'] as const) {
        const encoded = ENCODINGS[encoding](secret);
        const line = 'x'.repeat(16_384 - shift) + encoded + ' end';
        const stored = await store([secret], `${line}\nnext line\n`);
        expect(stored.length).toBeGreaterThanOrEqual(3);
        expect(revealsValue(stored.join(''), secret)).toBe(false);
        expect(stored.join('')).toContain('***');
        expect(stored.at(-1)).toBe('next line');
      }
    }
  }, 60_000);

  it('masks a secret printed by `base64` over several lines', async () => {
    const secret =
      'k'.repeat(3) + Buffer.from('a 90-byte secret: ').toString('hex') + 'Z9'.repeat(10);
    const wrapped = Buffer.from(`user:${secret}`).toString('base64').replace(/.{76}/g, '$&\n');
    const stored = await store([secret], `${wrapped}\n`);
    expect(stored.length).toBeGreaterThan(1);
    expect(revealsValue(stored.join(''), secret.slice(0, 30))).toBe(false);
    expect(revealsValue(stored.join(''), secret.slice(20))).toBe(false);
  });
});
