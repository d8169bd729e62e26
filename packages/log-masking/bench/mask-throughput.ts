// Throughput of masking with many secrets: 50 secrets in all their forms over 100,000 lines of
// typical output, a few of which contain a secret. Run: `node bench/mask-throughput.ts`.
import { randomBytes } from 'node:crypto';
import { SecretMasker, StreamMasker } from '../src/index.ts';

const SECRETS = 50;
const LINES = 100_000;

// Characters that make every form differ from the raw value: up to 10 patterns a secret.
const secrets = Array.from(
  { length: SECRETS },
  () => `${randomBytes(18).toString('base64')} "é"/${randomBytes(6).toString('hex')}`,
);
const lines = Array.from({ length: LINES }, (_, i) => {
  const base = `2025-01-01T00:00:${String(i % 60).padStart(2, '0')}Z INFO worker[${i % 8}] processed batch ${i} in ${i % 997} ms, queue depth ${i % 31}`;
  return i % 100 === 0 ? `${base} token=${secrets[i % SECRETS]}` : base;
});
const text = lines.join('\n') + '\n';

const masker = new SecretMasker(secrets);
console.log(
  `${masker.sets[0]!.forms.length} forms, ${masker.sets[0]!.automaton.stateCount} automaton states`,
);

measure('maskLine', () => {
  for (const line of lines) masker.maskLine(line);
});
measure('StreamMasker, 4 KiB chunks', () => {
  const stream = new StreamMasker(masker);
  for (let i = 0; i < text.length; i += 4096) stream.push(text.slice(i, i + 4096));
  stream.flush();
});

function measure(name: string, run: () => void): void {
  run(); // warm up
  const started = process.hrtime.bigint();
  run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`${name}: ${Math.round(LINES / seconds).toLocaleString('en')} lines/s`);
}
