import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { base64Cores, toBase64Url } from './base64-cores.ts';

describe('base64Cores', () => {
  const value = Buffer.from('correct horse battery', 'utf8');

  it('finds the value at every offset, whatever bytes surround it', () => {
    for (let prefixLength = 0; prefixLength < 9; prefixLength++) {
      const core = base64Cores(value)[prefixLength % 3]!;
      expect(core.alignment).toBe(prefixLength % 3);
      for (let attempt = 0; attempt < 20; attempt++) {
        const data = Buffer.concat([randomBytes(prefixLength), value, randomBytes(attempt % 4)]);
        expect(data.toString('base64')).toContain(core.text);
      }
    }
  });

  it('leaves out the edge characters that mix in neighbouring bits', () => {
    // 21 bytes = 168 bits = 28 characters at offset 0. At offset 1 the value's bits run from
    // bit 8 to 176: characters 2..28 (bits 12..174) are made of them alone; at offset 2, bits
    // 16 to 184: characters 3..29.
    expect(base64Cores(value).map(({ text }) => text.length)).toEqual([28, 27, 27]);
    expect(base64Cores(value)[0]!.text).toBe(value.toString('base64'));
  });

  it('is empty when no character is made of the value alone', () => {
    // One byte at offset 1 spans bits 8..16, which no 6-bit character lies within.
    expect(base64Cores(Buffer.from('a')).map(({ text }) => text)).toEqual(['Y', '', 'h']);
  });

  it('maps to the base64url alphabet', () => {
    expect(toBase64Url('a+b/c+/')).toBe('a-b_c-_');
  });
});
