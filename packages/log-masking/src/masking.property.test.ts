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
});
