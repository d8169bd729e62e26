// The JavaScript a browser loads for pages of the web UI, from the production build (`next
// build`): each page opened signed in, with an empty cache, in Debian's Chromium (playwright-
// core, no browser download), until it shows its data and the network is idle. Every script
// response the page requested is gzipped here at level 9 (the web process may serve them
// uncompressed; a proxy in front would gzip them) and summed. Target: under 300 KB gzipped for
// the events list and the run detail; the event editor (CodeMirror), the workflows list and the
// workflow editor (React Flow, which the workflow and workflow run pages load too) are measured
// for information.
// Usage: node bench/src/ui-js-size.ts   (the web app built; Chromium at /usr/bin/chromium or
// CRONIUM_CHROMIUM)
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeResults } from './results.ts';
import { seedUiData } from './ui-seed.ts';
import { startWebStack, type WebStack } from './web-stack.ts';

const CHROMIUM = process.env.CRONIUM_CHROMIUM ?? '/usr/bin/chromium';
const TARGET_KB = 300;

interface UiPage {
  name: string;
  /** The route, as the docs name it. */
  route: string;
  path: string;
  /** Whether the 300 KB target applies (the editor is measured for information). */
  judged: boolean;
  /** Resolves once the page shows what it loaded. */
  shown(page: Page): Promise<unknown>;
}

interface Script {
  file: string;
  bytes: number;
  gzipBytes: number;
  /** Requested only after the page showed its data (prefetches of linked pages, lazy parts). */
  afterShown: boolean;
}

const kb = (bytes: number) => Math.round((bytes / 1000) * 10) / 10;

function launch(): Promise<Browser> {
  // As the browser tests launch it (apps/web/src/browser/testing/browser.ts).
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
  });
}

/** Every script the page requests while it opens, its body as the browser received it. */
async function scriptsOf(
  browser: Browser,
  stack: WebStack,
  target: UiPage,
  prefetch: boolean,
): Promise<Script[]> {
  const context = await browser.newContext({ baseURL: stack.base });
  // The router prefetches each linked page (the navigation's links) and then its chunks;
  // without those requests, what is left is what the page itself needs.
  if (!prefetch)
    await context.route('**/*', (route) =>
      route.request().headers()['next-router-prefetch'] ? route.abort() : route.continue(),
    );
  const [name, value] = stack.user.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: stack.base }]);
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  const bodies: Promise<Script>[] = [];
  let shown = false;
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'script') return;
    const afterShown = shown;
    bodies.push(
      response.body().then((body) => ({
        file: new URL(response.url()).pathname,
        bytes: body.length,
        gzipBytes: gzipSync(body, { level: 9 }).length,
        afterShown,
      })),
    );
  });
  try {
    await page.goto(target.path);
    await target.shown(page);
    shown = true;
    // Chunks loaded once the data is shown (lazy components, prefetches, which the router
    // starts when the browser is idle) count too.
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(2_000);
    await page.waitForLoadState('networkidle');
    return await Promise.all(bodies);
  } finally {
    await context.close();
  }
}

function summary(target: UiPage, scripts: Script[]) {
  const gzip = scripts.reduce((sum, s) => sum + s.gzipBytes, 0);
  const later = scripts.filter((s) => s.afterShown);
  return {
    page: target.name,
    route: target.route,
    path: target.path,
    judged: target.judged,
    scripts: scripts.length,
    gzipKB: kb(gzip),
    rawKB: kb(scripts.reduce((sum, s) => sum + s.bytes, 0)),
    met: target.judged ? gzip / 1000 < TARGET_KB : undefined,
    afterShown: {
      scripts: later.length,
      gzipKB: kb(later.reduce((sum, s) => sum + s.gzipBytes, 0)),
    },
    // The chunks that dominate, largest first.
    largest: [...scripts]
      .sort((a, b) => b.gzipBytes - a.gzipBytes)
      .slice(0, 6)
      .map((s) => ({ file: s.file, gzipKB: kb(s.gzipBytes), rawKB: kb(s.bytes) })),
    all: scripts.map((s) => ({ ...s, gzipKB: kb(s.gzipBytes) })),
  };
}

const stack = await startWebStack();
try {
  // A little history, so that each page shows rows and a log rather than its empty state.
  const seeded = await seedUiData(stack.db, stack.user.id, {
    events: 30,
    runs: 300,
    logLines: [200],
  });
  const pages: UiPage[] = [
    {
      name: 'Events list',
      route: '/events',
      path: '/events',
      judged: true,
      shown: (p) => p.getByRole('table', { name: 'Events' }).waitFor(),
    },
    {
      name: 'Run detail',
      route: '/runs/[id]',
      path: `/runs/${seeded.logRuns[0]!.runId}`,
      judged: true,
      shown: (p) => p.getByTestId('run-status').waitFor(),
    },
    {
      name: 'Event editor',
      route: '/events/new',
      path: '/events/new',
      judged: false,
      shown: (p) => p.locator('.cm-editor').first().waitFor(),
    },
    {
      name: 'Workflows list',
      route: '/workflows',
      path: '/workflows',
      judged: false,
      shown: (p) => p.getByText('No workflows yet').waitFor(),
    },
    {
      name: 'Workflow editor',
      route: '/workflows/new',
      path: '/workflows/new',
      judged: false,
      shown: (p) => p.locator('.react-flow').first().waitFor(),
    },
  ];
  const browser = await launch();
  try {
    const results = [];
    for (const target of pages) {
      const all = await scriptsOf(browser, stack, target, true);
      const own = await scriptsOf(browser, stack, target, false);
      results.push({ ...summary(target, all), withoutPrefetch: summary(target, own) });
    }
    writeResults('ui-js-size', {
      postgres: stack.postgres,
      chromium: browser.version(),
      targetKB: TARGET_KB,
      pages: results,
      note: 'each page opened signed in with an empty cache; every requested script gzipped at level 9 here (not the transfer size); 1 KB = 1,000 bytes',
    });
  } finally {
    await browser.close();
  }
} finally {
  await stack.stop();
}
