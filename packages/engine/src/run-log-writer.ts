import type { Db } from '@cronium/db';
import { StreamMasker, type SecretMasker } from '@cronium/log-masking';
import { appendRunLogs, type LogLine, type RunFence } from '@cronium/run-queue';
import { isTransientDatabaseError, retryDelayMs, sleep } from './database-errors.ts';

/** Room kept under the log cap for Cronium's own lines (limit reached, lines lost, stopped). */
const NOTICE_RESERVE_BYTES = 4096;
/**
 * Lines kept in memory waiting for the database, per attempt (text and overhead). Above the
 * default log cap, so a database that answers never loses a line at the defaults: the cap
 * bounds what an attempt can buffer first.
 */
const DEFAULT_MAX_BUFFERED_BYTES = 32 * 1024 * 1024;
/** Counted per line on top of its text, for the memory bound. */
const LINE_OVERHEAD_BYTES = 64;

/**
 * Buffers an attempt's log lines and writes them in small batches (every `flushMs`, or at
 * once past `maxBatch` lines), in order, fenced by the attempt.
 *
 * The cap is per run: `maxBytes` counts what earlier attempts stored (`storedBytes`), and
 * past it the rest of the output is dropped and the log says so, with how much was dropped.
 * Cronium's own lines use a small reserve under the cap, so the stored log never exceeds it.
 *
 * While the database is unavailable, a batch is retried with backoff until it is stored, and
 * new lines wait in memory up to `maxBufferedBytes`. Lines that arrive while that buffer is
 * full are counted, not kept; once a write succeeds again the log gets the system line
 * "N lines lost while the database was unavailable" where they were, and `onLost` is told.
 * Nothing is dropped without a line in the run's log saying so.
 */
export class RunLogWriter {
  readonly #db: Db;
  readonly #fence: RunFence;
  readonly #maxBytes: number;
  readonly #flushMs: number;
  readonly #maxBatch: number;
  readonly #maxBufferedBytes: number;
  #queue: { line: LogLine; size: number }[] = [];
  #bufferedBytes = 0;
  /** Bytes this run's log holds or will hold (earlier attempts and lines accepted here). */
  #bytes: number;
  #droppedLines = 0;
  #droppedBytes = 0;
  #lostLines = 0;
  /** A write failed and none has succeeded since. */
  #unavailable = false;
  #lostWhileUnavailable = false;
  #timer: NodeJS.Timeout | undefined;
  #draining: Promise<void> | undefined;
  #fenceLost = false;
  #lastSeq: number | undefined;
  readonly #onError: (error: Error) => void;
  readonly #onLost: (lines: number, why: string) => void;
  readonly #masker: SecretMasker | undefined;
  /** One masking stream per output stream (and server): a line cut in pieces is one text. */
  readonly #streams = new Map<string, StreamMasker>();
  readonly #onStored: ((lastSeq: number, lines: readonly LogLine[]) => void) | undefined;

  constructor(
    db: Db,
    fence: RunFence,
    options: {
      /** Stored log per run, whatever the number of attempts. */
      maxBytes: number;
      /** What the run's log already holds from earlier attempts. */
      storedBytes?: number;
      /**
       * The run's last log sequence number at the claim: makes every append idempotent, so
       * a batch whose commit answer was lost is not stored twice when it is sent again.
       */
      storedSeq?: number;
      flushMs?: number;
      maxBatch?: number;
      maxBufferedBytes?: number;
      onError: (error: Error) => void;
      /** Lines that could not be stored (and that the log now reports as lost). */
      onLost?: (lines: number, why: string) => void;
      /**
       * Replaces secrets (in every encoded form it knows) before a line is stored. Lines are
       * whole here (the executors reassemble output split across writes), so a secret split
       * between two writes of the process is still one piece of text; the pieces of a line
       * too long to store as one (`continues`) are masked as one text, and base64 wrapped
       * over lines is followed from one line to the next.
       */
      masker?: SecretMasker;
      /**
       * After each stored batch, with its last sequence number (to tell live viewers) and the
       * lines as stored (masked; for metrics).
       */
      onStored?: (lastSeq: number, lines: readonly LogLine[]) => void;
    },
  ) {
    this.#onStored = options.onStored;
    this.#masker = options.masker;
    this.#db = db;
    this.#fence = fence;
    this.#maxBytes = options.maxBytes;
    this.#bytes = options.storedBytes ?? 0;
    this.#lastSeq = options.storedSeq;
    this.#flushMs = options.flushMs ?? 25;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.#onError = options.onError;
    this.#onLost = options.onLost ?? (() => undefined);
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
    if (line.stream === 'system') {
      this.#notice(line.text);
      return;
    }
    const reserve = Math.min(NOTICE_RESERVE_BYTES, Math.floor(this.#maxBytes / 4));
    if (this.#droppedLines > 0 || this.#bytes + size > this.#maxBytes - reserve) {
      if (this.#droppedLines === 0)
        this.#notice(
          `log limit of ${this.#maxBytes} bytes per run reached: further output is not stored`,
        );
      this.#droppedLines += 1;
      this.#droppedBytes += size;
      return;
    }
    if (
      this.#lostLines > 0 ||
      this.#bufferedBytes + size + LINE_OVERHEAD_BYTES > this.#maxBufferedBytes
    ) {
      // The database has been unavailable (or slow) for long enough to fill the buffer.
      if (this.#lostLines === 0) this.#lostWhileUnavailable = this.#unavailable;
      this.#lostLines += 1;
      return;
    }
    this.#enqueue(line, size);
  }

  /** One of Cronium's lines: kept while it fits under the cap (in the reserve). */
  #notice(text: string): void {
    const size = Buffer.byteLength(text, 'utf8');
    if (this.#bytes + size > this.#maxBytes) return;
    this.#enqueue({ stream: 'system', at: new Date(), text }, size);
  }

  #enqueue(line: LogLine, size: number): void {
    this.#bytes += size;
    this.#bufferedBytes += size + LINE_OVERHEAD_BYTES;
    this.#queue.push({ line, size });
    if (this.#queue.length >= this.#maxBatch) this.#kick();
    else this.#timer ??= setTimeout(() => this.#kick(), this.#flushMs);
  }

  #kick(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
  }

  /** Writes the queue in order, one batch at a time, until it is empty. */
  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && !this.#fenceLost) {
      const batch = this.#queue.slice(0, this.#maxBatch);
      const refused = await this.#write(batch.map((q) => q.line));
      this.#queue.splice(0, batch.length);
      this.#bufferedBytes -= batch.reduce((sum, q) => sum + q.size + LINE_OVERHEAD_BYTES, 0);
      if (refused) {
        this.#bytes -= batch.reduce((sum, q) => sum + q.size, 0);
        this.#reportLost(batch.length, `the database refused them (${refused.message})`);
      }
      if (this.#lostLines > 0 && !this.#fenceLost) {
        const lost = this.#lostLines;
        this.#lostLines = 0;
        this.#reportLost(
          lost,
          this.#lostWhileUnavailable
            ? 'while the database was unavailable'
            : 'while the database could not keep up with the output',
        );
      }
    }
  }

  #reportLost(lines: number, why: string): void {
    this.#onLost(lines, why);
    this.#notice(`${lines} line(s) lost ${why}`);
  }

  /**
   * Stores one batch, retrying while the database is unavailable. Returns the error when
   * the database refuses the batch itself (retrying would not help).
   */
  async #write(lines: LogLine[]): Promise<Error | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        const last = await appendRunLogs(this.#db, this.#fence, lines, {
          truncated: this.#droppedLines > 0,
          afterSeq: this.#lastSeq,
        });
        this.#unavailable = false;
        if (last === undefined) this.#fenceLost = true;
        else {
          if (this.#lastSeq !== undefined) this.#lastSeq = last;
          this.#onStored?.(last, lines);
        }
        return undefined;
      } catch (error) {
        if (!isTransientDatabaseError(error)) {
          this.#onError(error as Error);
          return error as Error;
        }
        if (attempt === 0) this.#onError(error as Error);
        this.#unavailable = true;
        if (this.#lostLines > 0) this.#lostWhileUnavailable = true;
        await sleep(retryDelayMs(attempt));
      }
    }
  }

  /** Writes what is left (and the drop summary) and resolves when everything is stored. */
  async close(): Promise<void> {
    if (this.#droppedLines > 0)
      this.#notice(
        `${this.#droppedLines} line(s), ${this.#droppedBytes} bytes, were dropped past the log limit`,
      );
    while (this.#draining || (this.#queue.length > 0 && !this.#fenceLost)) {
      this.#kick();
      await this.#draining;
    }
  }
}
