import type { Db } from '@cronium/db';
import { StreamMasker, type SecretMasker } from '@cronium/log-masking';
import { appendRunLogs, type LogLine, type RunFence } from '@cronium/run-queue';

/**
 * Buffers an attempt's log lines and writes them in small batches (every `flushMs`, or at
 * once past `maxBatch` lines), in order, fenced by the attempt. Past `maxBytes` the rest of
 * the output is dropped and the log says so, with how much was dropped.
 */
const WRITE_ATTEMPTS = 4;

export class RunLogWriter {
  readonly #db: Db;
  readonly #fence: RunFence;
  readonly #maxBytes: number;
  readonly #flushMs: number;
  readonly #maxBatch: number;
  #buffer: LogLine[] = [];
  #bytes = 0;
  #droppedLines = 0;
  #droppedBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  #fenceLost = false;
  #onError: (error: Error) => void;
  readonly #masker: SecretMasker | undefined;
  /** One masking stream per output stream (and server): a line cut in pieces is one text. */
  readonly #streams = new Map<string, StreamMasker>();
  readonly #onStored: ((lastSeq: number) => void) | undefined;

  constructor(
    db: Db,
    fence: RunFence,
    options: {
      maxBytes: number;
      flushMs?: number;
      maxBatch?: number;
      onError: (error: Error) => void;
      /**
       * Replaces secrets (in every encoded form it knows) before a line is stored. Lines are
       * whole here (the executors reassemble output split across writes), so a secret split
       * between two writes of the process is still one piece of text; the pieces of a line
       * too long to store as one (`continues`) are masked as one text, and base64 wrapped
       * over lines is followed from one line to the next.
       */
      masker?: SecretMasker;
      /** After each stored batch, with its last sequence number (to tell live viewers). */
      onStored?: (lastSeq: number) => void;
    },
  ) {
    this.#onStored = options.onStored;
    this.#masker = options.masker;
    this.#db = db;
    this.#fence = fence;
    this.#maxBytes = options.maxBytes;
    this.#flushMs = options.flushMs ?? 25;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#onError = options.onError;
  }

  /** True once a write found that this attempt no longer holds the run. */
  get fenceLost(): boolean {
    return this.#fenceLost;
  }

  push(piece: LogLine & { continues?: boolean }): void {
    const { continues, ...whole } = piece;
    let line: LogLine = whole;
    if (this.#masker) {
      const key = `${line.stream}:${line.serverId ?? ''}`;
      let stream = this.#streams.get(key);
      if (!stream) this.#streams.set(key, (stream = new StreamMasker(this.#masker)));
      const masked = stream.push(line.text) + (continues ? '' : stream.endLine());
      // A piece held back whole, or inside a mask that began on the piece before.
      if (masked === '' && line.text !== '') return;
      if (masked !== line.text) line = { ...line, text: masked };
    }
    const size = Buffer.byteLength(line.text, 'utf8');
    if (this.#droppedLines > 0 || this.#bytes + size > this.#maxBytes) {
      if (this.#droppedLines === 0) {
        this.#buffer.push({
          stream: 'system',
          at: new Date(),
          text: `log limit of ${this.#maxBytes} bytes reached: further output is not stored`,
        });
      }
      this.#droppedLines += 1;
      this.#droppedBytes += size;
      this.#schedule();
      return;
    }
    this.#bytes += size;
    this.#buffer.push(line);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#buffer.length >= this.#maxBatch) {
      this.#flushNow();
      return;
    }
    this.#timer ??= setTimeout(() => this.#flushNow(), this.#flushMs);
  }

  #flushNow(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#buffer.length === 0) return;
    const batch = this.#buffer;
    this.#buffer = [];
    this.#chain = this.#chain.then(async () => {
      if (this.#fenceLost) return;
      // A database hiccup must not lose output: retry with backoff before giving up.
      for (let attempt = 1; ; attempt++) {
        try {
          const last = await appendRunLogs(this.#db, this.#fence, batch, {
            truncated: this.#droppedLines > 0,
          });
          if (last === undefined) this.#fenceLost = true;
          else this.#onStored?.(last);
          return;
        } catch (error) {
          if (attempt >= WRITE_ATTEMPTS) {
            this.#onError(error as Error);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 100 * 4 ** (attempt - 1)));
        }
      }
    });
  }

  /** Writes what is left (and the drop summary) and resolves when everything is stored. */
  async close(): Promise<void> {
    if (this.#droppedLines > 0) {
      this.#buffer.push({
        stream: 'system',
        at: new Date(),
        text: `${this.#droppedLines} line(s), ${this.#droppedBytes} bytes, were dropped past the log limit`,
      });
    }
    this.#flushNow();
    await this.#chain;
  }
}
