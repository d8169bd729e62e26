import { StringDecoder } from 'node:string_decoder';

/**
 * Turns a byte stream into lines as they complete. A line longer than `maxLineChars` is cut
 * into pieces, each but the last emitted with `continues` set, so that whoever masks secrets
 * reads the pieces as one text (a secret across a cut is still one secret); a trailing
 * partial line is emitted at `flush()`. Multi-byte characters split across chunks are
 * decoded correctly.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  readonly #emit: (line: string, continues: boolean) => void;
  readonly #maxLineChars: number;
  #partial = '';

  constructor(emit: (line: string, continues: boolean) => void, maxLineChars = 16_384) {
    this.#emit = emit;
    this.#maxLineChars = maxLineChars;
  }

  write(chunk: Buffer): void {
    this.#consume(this.#decoder.write(chunk));
  }

  flush(): void {
    this.#consume(this.#decoder.end());
    if (this.#partial.length > 0) this.#emit(this.#partial, false);
    this.#partial = '';
  }

  #consume(text: string): void {
    let rest = this.#partial + text;
    let newline = rest.indexOf('\n');
    while (newline !== -1) {
      this.#emitCapped(rest.slice(0, newline).replace(/\r$/, ''));
      rest = rest.slice(newline + 1);
      newline = rest.indexOf('\n');
    }
    while (rest.length > this.#maxLineChars) {
      this.#emit(rest.slice(0, this.#maxLineChars), true);
      rest = rest.slice(this.#maxLineChars);
    }
    this.#partial = rest;
  }

  #emitCapped(line: string): void {
    for (let i = 0; i < line.length || i === 0; i += this.#maxLineChars) {
      this.#emit(line.slice(i, i + this.#maxLineChars), i + this.#maxLineChars < line.length);
      if (line.length === 0) break;
    }
  }
}
