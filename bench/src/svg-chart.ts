// Small, dependency-free SVG charts for docs/benchmarks.md: distributions (CDF, histogram),
// grouped bars and lines. The output is deterministic (same data, same bytes), so a
// regenerated chart shows up in a diff only when its numbers changed.

export interface Marker {
  value: number;
  label: string;
}

const WIDTH = 720;
const HEIGHT = 380;
const PLOT = { left: 72, right: 24, top: 44, bottom: 64 };
/** Okabe-Ito: distinguishable with the common colour-vision deficiencies. */
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000'];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

const plotWidth = WIDTH - PLOT.left - PLOT.right;
const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const fixed = (n: number) => Number(n.toFixed(2)).toString();

/** A readable number: thousands separated, at most the decimals the step needs. */
export function formatNumber(n: number, step = n): string {
  const decimals = Math.max(0, Math.min(3, -Math.floor(Math.log10(Math.abs(step) || 1))));
  const [whole, fraction] = Math.abs(n).toFixed(decimals).split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

function niceStep(range: number, count: number): number {
  const raw = range / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
}

interface Axis {
  min: number;
  max: number;
  ticks: number[];
  step: number;
  log: boolean;
}

function linearAxis(min: number, max: number, count = 6, integer = false): Axis {
  if (max <= min) max = min + 1;
  const step = integer ? Math.max(1, niceStep(max - min, count)) : niceStep(max - min, count);
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let t = lo; t <= hi + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { min: lo, max: hi, ticks, step, log: false };
}

/** 1, 2, 5 times powers of ten: the axis from the one at or below `min` to the one at or above `max`. */
function logAxis(min: number, max: number): Axis {
  const steps: number[] = [];
  for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++)
    for (const m of [1, 2, 5]) steps.push(Number((m * 10 ** k).toPrecision(6)));
  const lo = steps.filter((t) => t <= min).at(-1) ?? steps[0]!;
  const hi = steps.find((t) => t >= max) ?? steps.at(-1)!;
  const ticks = steps.filter((t) => t >= lo && t <= hi);
  // Many decades: only the powers of ten are labelled.
  const labelled =
    ticks.length > 10 ? ticks.filter((t) => /^1(0*|\.0*)$|^0\.0*1$/.test(String(t))) : ticks;
  return { min: lo, max: hi, ticks: labelled, step: lo, log: true };
}

function scale(axis: Axis, size: number, invert: boolean) {
  return (v: number) => {
    const f = axis.log
      ? (Math.log10(Math.max(v, axis.min)) - Math.log10(axis.min)) /
        (Math.log10(axis.max) - Math.log10(axis.min))
      : (v - axis.min) / (axis.max - axis.min);
    return invert ? PLOT.top + size * (1 - f) : PLOT.left + size * f;
  };
}

function frame(title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ${FONT} font-size="12">`,
    `<title>${escape(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15" font-weight="600">${escape(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function axes(
  x: Axis,
  y: Axis,
  labels: { x: string; y: string },
  xTicks = x.ticks,
  xFormat = (t: number) => formatNumber(t, x.log ? t : x.step),
): string[] {
  const sx = scale(x, plotWidth, false);
  const sy = scale(y, plotHeight, true);
  const bottom = PLOT.top + plotHeight;
  const out: string[] = [];
  for (const t of y.ticks) {
    const py = fixed(sy(t));
    out.push(
      `<line x1="${PLOT.left}" y1="${py}" x2="${PLOT.left + plotWidth}" y2="${py}" stroke="#e5e5e5"/>`,
      `<text x="${PLOT.left - 8}" y="${py}" text-anchor="end" dominant-baseline="middle">${formatNumber(t, y.step)}</text>`,
    );
  }
  for (const t of xTicks) {
    const px = fixed(sx(t));
    out.push(
      `<line x1="${px}" y1="${bottom}" x2="${px}" y2="${bottom + 5}" stroke="#333"/>`,
      `<text x="${px}" y="${bottom + 18}" text-anchor="middle">${xFormat(t)}</text>`,
    );
  }
  out.push(
    `<line x1="${PLOT.left}" y1="${bottom}" x2="${PLOT.left + plotWidth}" y2="${bottom}" stroke="#333"/>`,
    `<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${bottom}" stroke="#333"/>`,
    `<text x="${PLOT.left + plotWidth / 2}" y="${HEIGHT - 26}" text-anchor="middle">${escape(labels.x)}</text>`,
    `<text transform="translate(18 ${PLOT.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escape(labels.y)}</text>`,
  );
  return out;
}

function legend(names: string[]): string[] {
  const out: string[] = [];
  let x = PLOT.left;
  for (const [i, name] of names.entries()) {
    out.push(
      `<rect x="${x}" y="${HEIGHT - 16}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/>`,
      `<text x="${x + 16}" y="${HEIGHT - 6}">${escape(name)}</text>`,
    );
    x += 28 + name.length * 6.5;
  }
  return out;
}

function verticalMarkers(markers: Marker[], sx: (v: number) => number): string[] {
  return markers.flatMap((m) => {
    const px = fixed(sx(m.value));
    return [
      `<line x1="${px}" y1="${PLOT.top}" x2="${px}" y2="${PLOT.top + plotHeight}" stroke="#c00" stroke-dasharray="6 4"/>`,
      `<text x="${px}" y="${PLOT.top - 4}" text-anchor="middle" fill="#c00">${escape(m.label)}</text>`,
    ];
  });
}

/**
 * Cumulative distributions: for each series the share of samples at or below each value.
 * `samples` may be raw samples or evenly spaced quantiles (permilles); both draw the same.
 */
export function cdfChart(options: {
  title: string;
  xLabel: string;
  series: { name: string; samples: number[] }[];
  logX?: boolean;
  markers?: Marker[];
}): string {
  const sorted = options.series.map((s) => [...s.samples].sort((a, b) => a - b));
  const all = sorted.flat();
  const markerValues = (options.markers ?? []).map((m) => m.value);
  const lo = Math.min(...all);
  const hi = Math.max(...all, ...markerValues);
  const x = options.logX ? logAxis(Math.max(lo, 1e-3), hi) : linearAxis(0, hi);
  const y = linearAxis(0, 100, 5);
  const sx = scale(x, plotWidth, false);
  const sy = scale(y, plotHeight, true);
  const body = axes(x, y, { x: options.xLabel, y: 'samples at or below (%)' });
  for (const [i, values] of sorted.entries()) {
    const points: string[] = [];
    const n = values.length;
    // At most ~1,000 steps per line: enough for the eye, small files.
    const stride = Math.max(1, Math.floor(n / 1000));
    for (let k = 0; k < n; k += stride) {
      points.push(`${fixed(sx(values[k]!))},${fixed(sy((k / n) * 100))}`);
      points.push(`${fixed(sx(values[k]!))},${fixed(sy(((k + stride) / n) * 100))}`);
    }
    points.push(`${fixed(sx(values[n - 1]!))},${fixed(sy(100))}`);
    body.push(
      `<polyline fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="2" points="${points.join(' ')}"/>`,
    );
  }
  for (const p of [50, 99])
    body.push(
      `<line x1="${PLOT.left}" y1="${fixed(sy(p))}" x2="${PLOT.left + plotWidth}" y2="${fixed(sy(p))}" stroke="#888" stroke-dasharray="2 3"/>`,
      `<text x="${PLOT.left + plotWidth - 4}" y="${fixed(sy(p) - 4)}" text-anchor="end" fill="#666">p${p}</text>`,
    );
  body.push(...verticalMarkers(options.markers ?? [], sx));
  body.push(...legend(options.series.map((s) => s.name)));
  return frame(options.title, body);
}

/** A histogram of one series' samples in `bins` equal bins. */
export function histogramChart(options: {
  title: string;
  xLabel: string;
  samples: number[];
  bins?: number;
  markers?: Marker[];
}): string {
  const bins = options.bins ?? 40;
  const hi = Math.max(...options.samples, ...(options.markers ?? []).map((m) => m.value));
  const x = linearAxis(Math.min(0, ...options.samples), hi);
  const width = (x.max - x.min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const s of options.samples)
    counts[Math.min(bins - 1, Math.floor((s - x.min) / width))]! += 1;
  const y = linearAxis(0, Math.max(...counts), 5, true);
  const sx = scale(x, plotWidth, false);
  const sy = scale(y, plotHeight, true);
  const body = axes(x, y, { x: options.xLabel, y: 'samples' });
  for (const [i, count] of counts.entries()) {
    if (count === 0) continue;
    const left = sx(x.min + i * width);
    body.push(
      `<rect x="${fixed(left + 0.5)}" y="${fixed(sy(count))}" width="${fixed(sx(x.min + (i + 1) * width) - left - 1)}" height="${fixed(PLOT.top + plotHeight - sy(count))}" fill="${COLOURS[0]}"/>`,
    );
  }
  body.push(...verticalMarkers(options.markers ?? [], sx));
  return frame(options.title, body);
}

/** Groups of bars (one colour per series), each bar labelled with its value. */
export function barChart(options: {
  title: string;
  yLabel: string;
  series: string[];
  groups: { label: string; values: (number | undefined)[] }[];
}): string {
  const max = Math.max(...options.groups.flatMap((g) => g.values.filter((v) => v !== undefined)));
  const y = linearAxis(0, max * 1.1, 5);
  const sy = scale(y, plotHeight, true);
  const x: Axis = { min: 0, max: 1, ticks: [], step: 1, log: false };
  const body = axes(x, y, { x: '', y: options.yLabel }, []);
  const groupWidth = plotWidth / options.groups.length;
  const barWidth = Math.min(90, (groupWidth * 0.7) / options.series.length);
  for (const [g, group] of options.groups.entries()) {
    const centre = PLOT.left + groupWidth * (g + 0.5);
    const start = centre - (barWidth * options.series.length) / 2;
    for (const [i, value] of group.values.entries()) {
      if (value === undefined) continue;
      const left = start + i * barWidth;
      body.push(
        `<rect x="${fixed(left + 2)}" y="${fixed(sy(value))}" width="${fixed(barWidth - 4)}" height="${fixed(PLOT.top + plotHeight - sy(value))}" fill="${COLOURS[i % COLOURS.length]}"/>`,
        `<text x="${fixed(left + barWidth / 2)}" y="${fixed(sy(value) - 5)}" text-anchor="middle">${formatNumber(value, value >= 10 ? 1 : 0.1)}</text>`,
      );
    }
    body.push(
      `<text x="${fixed(centre)}" y="${PLOT.top + plotHeight + 18}" text-anchor="middle">${escape(group.label)}</text>`,
    );
  }
  body.push(...legend(options.series));
  return frame(options.title, body);
}

/** Lines through points, each point marked and labelled with its value. */
export function lineChart(options: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: { name: string; points: [number, number][] }[];
}): string {
  const xs = options.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = options.series.flatMap((s) => s.points.map((p) => p[1]));
  const x = linearAxis(Math.min(...xs) - 0.5, Math.max(...xs) + 0.5);
  const y = linearAxis(0, Math.max(...ys) * 1.15, 5);
  const sx = scale(x, plotWidth, false);
  const sy = scale(y, plotHeight, true);
  const body = axes(x, y, { x: options.xLabel, y: options.yLabel }, [...new Set(xs)], (t) =>
    formatNumber(t, 1),
  );
  for (const [i, series] of options.series.entries()) {
    const colour = COLOURS[i % COLOURS.length];
    const points = series.points.map(([px, py]) => `${fixed(sx(px))},${fixed(sy(py))}`);
    body.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.join(' ')}"/>`,
    );
    for (const [px, py] of series.points)
      body.push(
        `<circle cx="${fixed(sx(px))}" cy="${fixed(sy(py))}" r="4" fill="${colour}"/>`,
        `<text x="${fixed(sx(px))}" y="${fixed(sy(py) - 9)}" text-anchor="middle">${formatNumber(py, 1)}</text>`,
      );
  }
  body.push(...legend(options.series.map((s) => s.name)));
  return frame(options.title, body);
}
