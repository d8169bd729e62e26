import { secretForms } from './secret-forms.ts';

describe('secretForms', () => {
  it('lists every form of a value', () => {
    expect(secretForms('pa ss/wörd?"x"~')).toEqual([
      { encoding: 'raw', text: 'pa ss/wörd?"x"~' },
      { encoding: 'json', text: 'pa ss/wörd?\\"x\\"~' },
      { encoding: 'json-ascii', text: 'pa ss/w\\u00f6rd?\\"x\\"~' },
      { encoding: 'json-slash', text: 'pa ss\\/wörd?\\"x\\"~' },
      { encoding: 'json-ascii-slash', text: 'pa ss\\/w\\u00f6rd?\\"x\\"~' },
      { encoding: 'url', text: 'pa%20ss%2Fw%C3%B6rd%3F%22x%22~' },
      { encoding: 'url-plus', text: 'pa+ss%2Fw%C3%B6rd%3F%22x%22~' },
      { encoding: 'base64', text: 'cGEgc3Mvd8O2cmQ/Ingif', alignment: 0 },
      { encoding: 'base64', text: 'BhIHNzL3fDtnJkPyJ4In', alignment: 1 },
      { encoding: 'base64', text: 'wYSBzcy93w7ZyZD8ieCJ+', alignment: 2 },
      { encoding: 'base64url', text: 'cGEgc3Mvd8O2cmQ_Ingif', alignment: 0 },
      { encoding: 'base64url', text: 'wYSBzcy93w7ZyZD8ieCJ-', alignment: 2 },
    ]);
  });

  it("adds the strict URL form (Python's quote) when it differs", () => {
    expect(secretForms("it's (a)*!").find((f) => f.encoding === 'url-strict')).toEqual({
      encoding: 'url-strict',
      text: 'it%27s%20%28a%29%2A%21',
    });
  });

  it('lists a form once when encodings agree', () => {
    expect(secretForms('Abcdef123').map(({ encoding }) => encoding)).toEqual([
      'raw',
      'base64',
      'base64',
      'base64',
    ]);
  });

  it('escapes control characters and newlines as JSON does', () => {
    const [, json] = secretForms('line1\nline2\t"end"');
    expect(json).toEqual({ encoding: 'json', text: 'line1\\nline2\\t\\"end\\"' });
  });

  it("writes non-ASCII as Python's json.dumps does, surrogate pairs included", () => {
    // python3 -c 'import json; print(json.dumps("clé-🔑\x7f/"))'
    const ascii = secretForms('clé-🔑\x7f/').find((f) => f.encoding === 'json-ascii');
    expect(ascii?.text).toBe('cl\\u00e9-\\ud83d\\udd11\\u007f/');
  });

  it('skips URL forms for a lone surrogate, which cannot be URL-encoded', () => {
    expect(secretForms('abc\ud800def').map(({ encoding }) => encoding)).not.toContain('url');
  });
});
