import fc from 'fast-check';
import { SecretMasker } from './secret-masker.ts';
import { StreamMasker } from './stream-masker.ts';
import { secretForms } from './secret-forms.ts';
import { secretValues } from './secret-values.ts';
import { ENCODING_NAMES, ENCODINGS } from './testing/encodings.ts';
import { revealsValue } from './testing/reveals-value.ts';

// Secrets and surrounding output share characters, so the output is full of partial secrets.
// No '*' in secrets: a secret made of the mask's own character could seem to reappear when a
// mask lands next to the rest of it (see the README).
const SECRET_CHARS = [...'abcXYZ0189 -_./+=%&?"\\:@éü中🔑€\n'];
const OUTPUT_CHARS = [...'abcxyz 0189+/=%"\\\n\t:{}*é🔑'];

const secretArbitrary = fc
  .string({ unit: fc.constantFrom(...SECRET_CHARS), minLength: 6, maxLength: 24 })
  .filter((secret) => secretValues(secret).length > 0);
const outputArbitrary = fc.string({ unit: fc.constantFrom(...OUTPUT_CHARS), maxLength: 40 });

/** A piece of output: plain text, or a secret printed in some form amid some text. */
const segmentArbitrary = fc.oneof(
  outputArbitrary.map((text) => ({ text })),
  fc.record({
    secretIndex: fc.nat(),
    encoding: fc.constantFrom(...ENCODING_NAMES),
    // Text encoded together with the secret: shifts its base64 alignment.
    before: fc.string({ unit: fc.constantFrom(...OUTPUT_CHARS), maxLength: 5 }),
    after: fc.string({ unit: fc.constantFrom(...OUTPUT_CHARS), maxLength: 5 }),
  }),
);

const splitsArbitrary = fc.array(fc.nat(), { maxLength: 8 });

function splitAt(text: string, splits: number[]): string[] {
  const positions = splits.map((split) => split % (text.length + 1)).sort((a, b) => a - b);
  return [0, ...positions].map((start, i) => text.slice(start, positions[i] ?? text.length));
}

describe('masking properties', () => {
  it('never lets a registered secret through in any form, however the output is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(secretArbitrary, { minLength: 1, maxLength: 4 }),
        fc.array(segmentArbitrary, { minLength: 1, maxLength: 8 }),
        splitsArbitrary,
        (secrets, segments, splits) => {
          const text = segments
            .map((segment) => {
              if ('text' in segment) return segment.text;
              const secret = secrets[segment.secretIndex % secrets.length]!;
              return ENCODINGS[segment.encoding](segment.before + secret + segment.after);
            })
            .join('');
          const masker = new SecretMasker(secrets);
          const stream = new StreamMasker(masker);
          const limit = masker.maxHold;
          let streamed = '';
          for (const chunk of splitAt(text, splits)) {
            streamed += stream.push(chunk);
            expect(stream.heldLength).toBeLessThanOrEqual(limit);
          }
          streamed += stream.flush();

          expect(streamed).toBe(masker.maskLine(text));
          for (const secret of secrets)
            for (const value of [secret, ...secretValues(secret)]) {
              for (const { text: form } of secretForms(value)) expect(streamed).not.toContain(form);
              expect(revealsValue(streamed, value)).toBe(false);
            }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('passes output without secrets through unchanged, however it is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(secretArbitrary, { maxLength: 4 }),
        fc.string({ unit: fc.constantFrom(...OUTPUT_CHARS, ...SECRET_CHARS), maxLength: 200 }),
        splitsArbitrary,
        (secrets, text, splits) => {
          const forms = secrets
            .flatMap((secret) => secretValues(secret))
            .flatMap((value) => secretForms(value));
          fc.pre(forms.every(({ text: form }) => !text.includes(form)));
          const masker = new SecretMasker(secrets);
          const stream = new StreamMasker(masker);
          const streamed = splitAt(text, splits)
            .map((chunk) => stream.push(chunk))
            .join('');
          expect(streamed + stream.flush()).toBe(text);
          expect(masker.maskLine(text)).toBe(text);
        },
      ),
      { numRuns: 300 },
    );
  });

  // GNU base64 and MIME wrap at 76 columns, PEM at 64: a secret of 57 bytes or more is cut
  // over lines, each stored (and masked) as a line of its own.
  it('masks a long secret in wrapped base64, line by line', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...SECRET_CHARS), minLength: 40, maxLength: 120 }),
        fc.string({ unit: fc.constantFrom(...OUTPUT_CHARS), maxLength: 120 }),
        fc.string({ unit: fc.constantFrom(...OUTPUT_CHARS), maxLength: 40 }),
        fc.constantFrom(76, 64),
        (secret, before, after, width) => {
          const value = secret.trim();
          fc.pre(Buffer.byteLength(value) >= 57 && !value.includes('\n'));
          const encoded = ENCODINGS.base64(before + value + after);
          const lines = encoded.match(new RegExp(`.{1,${width}}`, 'g'))!;
          const masker = new SecretMasker([value]);
          const stream = new StreamMasker(masker);
          const stored = lines.map((line) => stream.push(line) + stream.endLine());
          expect(stored.join('\n')).toBe(masker.maskLine(lines.join('\n')));
          // Read back as a decoder would: the lines joined.
          const joined = stored.join('');
          expect(revealsValue(joined, value)).toBe(false);
          // At most the start of the value, on the line where it starts, is left.
          const bytes = Buffer.from(value);
          expect(revealsValue(joined, bytes.subarray(16).toString('latin1'))).toBe(false);
          for (const run of joined.match(/[A-Za-z0-9+/]+/g) ?? [])
            for (let phase = 0; phase < 4; phase++)
              expect(Buffer.from(run.slice(phase), 'base64').includes(bytes.subarray(12, 28))).toBe(
                false,
              );
        },
      ),
      { numRuns: 300 },
    );
  });
});
