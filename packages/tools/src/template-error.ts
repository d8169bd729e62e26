/** A template that does not parse or does not render; `line`/`column` are 1-based. */
export class TemplateError extends Error {
  readonly line: number;
  readonly column: number;
  /** The problem without the position (what `message` says before " at line..."). */
  readonly reason: string;

  constructor(reason: string, line: number, column: number) {
    super(`${reason} at line ${line}, column ${column}`);
    this.name = 'TemplateError';
    this.reason = reason;
    this.line = line;
    this.column = column;
  }
}
