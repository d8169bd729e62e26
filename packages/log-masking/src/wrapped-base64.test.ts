import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { SecretMasker } from './secret-masker.ts';
import { StreamMasker } from './stream-masker.ts';

/** The real GNU coreutils `base64` (wraps at 76 columns) and `openssl`-style 64 columns. */
function gnuBase64(text: string, wrap = 76): string[] {
  return execFileSync('base64', [`--wrap=${wrap}`], { input: text })
    .toString()
    .trimEnd()
    .split('\n');
}

/** Stores each line on its own, as the run log writer does. */
function storeLines(masker: SecretMasker, lines: string[]): string[] {
  const stream = new StreamMasker(masker);
  return lines.map((line) => stream.push(line) + stream.endLine());
}

describe('wrapped base64', () => {
  const secret = randomBytes(300).toString('hex'); // 600 characters: 8 lines of base64
  const masker = new SecretMasker([secret]);

  it.each([0, 1, 2, 3, 40, 55, 56])(
    'masks every line of `base64` output after %i bytes of other text',
    (offset) => {
      const lines = gnuBase64(`${'x'.repeat(offset)}${secret}\ntrailer`);
      const stored = storeLines(masker, lines);
      const secretLines = stored.slice(1, -1);
      for (const line of secretLines) expect(line).toBe('***');
      // Of the first line, at most the value's first 15 characters of base64 are left.
      expect(stored[0]!.replace(/\*\*\*$/, '').length).toBeLessThanOrEqual(
        Math.ceil((offset * 4) / 3) + 16,
      );
      expect(Buffer.from(stored.join('').replaceAll('***', ''), 'base64').toString()).not.toContain(
        secret.slice(10, 40),
      );
    },
  );

  it('masks a 57-byte secret split over two lines wherever it starts', () => {
    const short = randomBytes(29).toString('hex').slice(0, 57);
    const m = new SecretMasker([short]);
    for (let offset = 0; offset < 57; offset++) {
      const lines = gnuBase64(`${'y'.repeat(offset)}${short}`);
      const joined = storeLines(m, lines).join('');
      const decoded = joined
        .split('***')
        .map((part) => Buffer.from(part, 'base64').toString('latin1'))
        .join('|');
      expect(decoded).not.toContain(short.slice(12));
    }
  });

  it('masks PEM-style 64-column lines', () => {
    const stored = storeLines(masker, gnuBase64(`key:${secret}`, 64));
    expect(stored.slice(1, -1).every((line) => line === '***')).toBe(true);
  });

  it('leaves base64 lines of other data alone', () => {
    const lines = gnuBase64(randomBytes(400).toString('hex'));
    expect(storeLines(masker, lines)).toEqual(lines);
  });
});
