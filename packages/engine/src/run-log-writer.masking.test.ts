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
          const splitter = new LineSplitter((text) =>
            writer.push({ stream: 'stdout', at: new Date(), text }),
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
});
