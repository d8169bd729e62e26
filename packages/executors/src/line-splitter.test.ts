import { LineSplitter } from './line-splitter.ts';

describe('LineSplitter', () => {
  it('joins partial lines across chunks, handles CRLF and multibyte characters split across chunks', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    const euro = Buffer.from('€');
    splitter.write(Buffer.from('hel'));
    splitter.write(Buffer.from('lo\r\nwor'));
    splitter.write(Buffer.concat([Buffer.from('ld '), euro.subarray(0, 1)]));
    splitter.write(Buffer.concat([euro.subarray(1), Buffer.from('\n\nlast')]));
    splitter.flush();
    expect(lines).toEqual(['hello', 'world €', '', 'last']);
  });

  it('cuts very long lines', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l), 4);
    splitter.write(Buffer.from('abcdefghij\nxy'));
    splitter.flush();
    expect(lines).toEqual(['abcd', 'efgh', 'ij', 'xy']);
  });
});
