// Table rows for the web UI benchmarks: the JavaScript each page loads, and how long each
// page waits for its data with a large history.
import { formatNumber } from '../svg-chart.ts';
import { NONE, ms, type Figure, type Result } from './figure.ts';

const kb = (n: number) => `${formatNumber(n, 0.1)} KB`;

/** "9904-326f….js 66.8 KB": a chunk's name is its webpack id and content hash. */
const chunk = (c: Result) =>
  `${c.file
    .split('/')
    .pop()
    .replace(/^(.{9}).*(\.js)$/, '$1…$2')} ${kb(c.gzipKB)}`;

export function uiJsSizeFigures(r: Result): Figure[] {
  return r.pages.map((p: Result) => {
    const own = p.withoutPrefetch;
    return {
      figure: `JavaScript of the ${p.page.toLowerCase()} page (\`${p.route}\`), gzipped, first load`,
      measured: `${kb(own.gzipKB)} in ${own.scripts} scripts; with the router's prefetch of the pages linked from the navigation: ${kb(p.gzipKB)} in ${p.scripts}`,
      target: p.judged ? `< ${r.targetKB} KB (without the prefetch)` : NONE,
      reference: `largest: ${own.largest.slice(0, 3).map(chunk).join(', ')}`,
      met: p.judged ? own.gzipKB < r.targetKB : undefined,
    };
  });
}

const count = (n: number) => formatNumber(n, 1);

/** The call the page waited for longest (by p95), as the reference for where the time goes. */
function slowestCall(calls: Record<string, Result>): string {
  const [label, d] = Object.entries(calls).sort((a, b) => b[1].p95 - a[1].p95)[0]!;
  return `slowest call: ${label.replace(/^GET \/api\/v1/, 'GET ')}: p50 ${ms(d.p50)}, p95 ${ms(d.p95)}`;
}

export function uiPageDataFigures(r: Result): Figure[] {
  const data = `${count(r.data.events)} events, ${count(r.data.runs)} runs`;
  return r.pages.map((p: Result) => ({
    figure: `Page data ready: ${p.page} (${p.opens.startsWith('/') ? `\`${p.opens}\`` : p.opens}), ${data}`,
    measured: `p50 ${ms(p.dataReadyMs.p50)}, p95 ${ms(p.dataReadyMs.p95)} over ${p.dataReadyMs.n} loads`,
    target: `p95 < ${r.targetMs} ms`,
    reference: slowestCall(p.callMs),
    met: p.dataReadyMs.p95 < r.targetMs,
  }));
}
