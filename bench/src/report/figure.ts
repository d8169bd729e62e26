// One row of the table in docs/benchmarks.md, and the helpers that phrase numbers for it.
import { formatNumber } from '../svg-chart.ts';

export interface Figure {
  figure: string;
  measured: string;
  target: string;
  /** What the same run measured to compare with, or why there is nothing to compare. */
  reference: string;
  /** undefined: no target, or nothing to judge. */
  met: boolean | undefined;
}

/** A result file's JSON as the report reads it: benchmark-specific fields. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each benchmark's own shape
export type Result = Record<string, any>;

export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

export const NONE = '—';

export const ms = (n: number) => `${formatNumber(n, n >= 100 ? 1 : 0.01)} ms`;
export const perSecond = (n: number, unit = 'runs/s') => `${formatNumber(n, 1)} ${unit}`;
export const ratio = (n: number) => `${formatNumber(n, 0.01)}x`;
export const mib = (n: number) => `${formatNumber(n, 1)} MiB`;

/** "p50 1.2 ms, p99 3.4 ms" (and the mean or max when asked). */
export function latency(s: Summary, extra: ('mean' | 'max')[] = []): string {
  const parts = [`p50 ${ms(s.p50)}`, `p99 ${ms(s.p99)}`];
  for (const key of extra) parts.push(`${key} ${ms(s[key])}`);
  return parts.join(', ');
}
