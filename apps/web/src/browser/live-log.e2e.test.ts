// The run page's live log in a real Chromium against the real stack (web, ws, orchestrator
// with the local executor, PostgreSQL): a 100,000-line log, stored or arriving live, keeps
// the page answering with only a window of its lines in the page, every line reachable; and
// a live log whose WebSocket drops mid-run (the ws process killed, then restarted) resumes
// with every line exactly once, in order.
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TEST_PASSWORD, startApiStack, type ApiStack } from '../api/testing/api-stack.ts';
import {
  describeInBrowser,
  launchChromium,
  openContext,
  screenshotPath,
  signInThroughUi,
} from './testing/browser.ts';

const ADMIN = 'ada@example.com';
const LINES = 100_000;
/** Far more than the page needs to show 420 px of 20 px rows (with overscan), far fewer than the log. */
const MAX_ROWS_IN_PAGE = 500;

interface StoredLine {
  seq: number;
  stream: string;
  text: string;
}

describeInBrowser('the live log of a run', () => {
  jest.setTimeout(300_000);
  let stack: ApiStack;
  let browser: Browser;
  let admin: string;
  let signedIn: Awaited<ReturnType<BrowserContext['storageState']>>;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startApiStack({ engine: true, live: true }),
      launchChromium(),
    ]);
    await stack.call('POST', '/api/v1/setup', undefined, { email: ADMIN, password: TEST_PASSWORD });
    admin = await stack.signIn(ADMIN);
    const { context, page } = await openContext(browser, stack.base);
    await signInThroughUi(page, ADMIN, TEST_PASSWORD);
    signedIn = await context.storageState();
    await context.close();
  }, 180_000);
  afterEach(async () => {
    const name = (expect.getState().currentTestName ?? 'test').replace(/[^a-z0-9]+/gi, '-');
    for (const [i, context] of contexts.splice(0).entries()) {
      await context
        .pages()[0]
        ?.screenshot({ path: screenshotPath(`live-log-${name}-${i}`) })
        .catch(() => undefined);
      await context.close();
    }
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function startRun(name: string, script: string): Promise<number> {
    const event = await stack.call('POST', '/api/v1/events', admin, {
      name,
      type: 'bash',
      targetKind: 'local',
      script,
    });
    expect(event.status).toBe(201);
    const run = await stack.call('POST', `/api/v1/events/${event.json.id}/runs`, admin, {});
    expect(run.status).toBe(201);
    return run.json.id;
  }

  /** Sets the owner's variable `name` to "yes": what the scripts wait for. */
  async function signal(name: string) {
    const put = await stack.call('PUT', `/api/v1/variables/${name}`, admin, { value: 'yes' });
    expect(put.status).toBeLessThan(300);
  }

  async function runStatus(runId: number): Promise<string> {
    return (await stack.call('GET', `/api/v1/runs/${runId}`, admin)).json.status;
  }

  async function waitForStatus(runId: number, wanted: string[], timeoutMs = 180_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const status = await runStatus(runId);
      if (wanted.includes(status)) return status;
      await sleep(250);
    }
    throw new Error(`run ${runId} is not ${wanted.join(' or ')} after ${timeoutMs} ms`);
  }

  /** The run's log as stored, through the REST API. */
  async function storedLog(runId: number): Promise<StoredLine[]> {
    const lines: StoredLine[] = [];
    for (let page = 0; page < 1_000; page++) {
      const after = lines.at(-1)?.seq ?? 0;
      const batch = (
        await stack.call('GET', `/api/v1/runs/${runId}/logs?after=${after}&limit=5000`, admin)
      ).json as StoredLine[];
      if (batch.length === 0) return lines;
      lines.push(...batch);
    }
    throw new Error(`run ${runId}'s log did not end`);
  }

  /** The run page in a new signed-in context, main-thread long tasks recorded from the start. */
  async function openRunPage(runId: number): Promise<Page> {
    const { context, page } = await openContext(browser, stack.base, undefined, signedIn);
    contexts.push(context);
    page.on('pageerror', (error) => console.error(`page error: ${error.message}\n${error.stack}`));
    await page.addInitScript(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.longTasks.push(entry.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    await page.goto(`/runs/${runId}`);
    await page.getByRole('heading', { name: `Run #${runId}` }).waitFor();
    return page;
  }

  /** The log's line count as the page shows it ("N lines", or "n of N lines" when filtered; "1 line"). */
  async function shownCount(page: Page): Promise<{ shown: number; total: number }> {
    const text = (await page.getByTestId('log-count').textContent()) ?? '';
    const match = /^(?:(\d+) of )?(\d+) lines?$/.exec(text.trim());
    if (!match) throw new Error(`unexpected line count: ${text}`);
    const total = Number(match[2]);
    return { shown: match[1] === undefined ? total : Number(match[1]), total };
  }

  async function waitForCount(page: Page, total: number, timeout = 180_000) {
    await page.waitForFunction(
      (n) =>
        document.querySelector('[data-testid="log-count"]')?.textContent ===
        `${n} ${n === 1 ? 'line' : 'lines'}`,
      total,
      { timeout, polling: 250 },
    );
  }

  async function rowsInPage(page: Page): Promise<number> {
    return page.getByTestId('run-log').locator('.cr-log-line').count();
  }

  /** The row that shows `text` as a whole line (a row's text is its seq, then the line). */
  function row(page: Page, text: string) {
    return page
      .getByTestId('run-log')
      .locator('.cr-log-line')
      .filter({ hasText: new RegExp(`^\\d+${text}$`) });
  }

  /** The log as the Download button saves it: `at stream text` a line. */
  async function downloaded(page: Page): Promise<{ stream: string; text: string }[]> {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download' }).click(),
    ]);
    const file = await download.path();
    const content = readFileSync(file, 'utf8');
    expect(content.endsWith('\n')).toBe(true);
    return content
      .slice(0, -1)
      .split('\n')
      .map((line) => {
        const match = /^\S+ (stdout|stderr|system) (.*)$/s.exec(line);
        if (!match) throw new Error(`unexpected downloaded line: ${line}`);
        return { stream: match[1]!, text: match[2]! };
      });
  }

  /**
   * Every 200 ms until `done` (given the line count shown): an evaluation round trip (the
   * main thread answers) and the rows in the page (only a window of the log, all along).
   */
  async function probeUntil(page: Page, done: (count: number) => Promise<boolean>) {
    const roundTrips: number[] = [];
    let partial = 0;
    const deadline = Date.now() + 180_000;
    for (;;) {
      const started = Date.now();
      await page.evaluate(() => document.readyState);
      roundTrips.push(Date.now() - started);
      expect(await rowsInPage(page)).toBeLessThan(MAX_ROWS_IN_PAGE);
      const count = (await shownCount(page)).total;
      if (await done(count)) return { roundTrips, partial };
      if (count > 0) partial += 1;
      if (Date.now() > deadline) throw new Error(`the page shows ${count} lines after 180 s`);
      await sleep(200);
    }
  }

  /** Until the page shows more than `than` lines. */
  async function waitForMoreLines(page: Page, than: number) {
    await page.waitForFunction(
      (n) => {
        const text = document.querySelector('[data-testid="log-count"]')?.textContent ?? '';
        return Number(text.split(' ')[0]) > n;
      },
      than,
      { polling: 100 },
    );
  }

  async function expectNoFreeze(page: Page, roundTrips: number[]) {
    const longTasks = await page.evaluate(
      () => (window as unknown as { longTasks: number[] }).longTasks,
    );
    // Generous bounds on a busy two-core machine: a freeze is seconds, not these.
    expect(Math.max(0, ...longTasks)).toBeLessThan(2_000);
    expect(Math.max(...roundTrips)).toBeLessThan(10_000);
  }

  /** Every line of the 100,000 is reachable: the end, the start, a search, the download. */
  async function expectWholeLogReachable(page: Page, runId: number) {
    const stored = await storedLog(runId);
    const numbered = stored.filter((l) => l.stream === 'stdout');
    expect(numbered.map((l) => l.text)).toEqual(
      Array.from({ length: LINES }, (_, i) => `line ${i + 1}`),
    );
    await waitForCount(page, stored.length);
    const log = page.getByTestId('run-log');
    // Following: the newest lines are in view.
    await row(page, 'line 100000').waitFor();
    expect(await rowsInPage(page)).toBeLessThan(MAX_ROWS_IN_PAGE);

    // Back to the first line with the keyboard (this pauses following), then to the end.
    await log.focus();
    await page.keyboard.press('Home');
    await row(page, 'line 1').waitFor();
    await page.getByRole('button', { name: 'Follow' }).waitFor();
    expect(await rowsInPage(page)).toBeLessThan(MAX_ROWS_IN_PAGE);
    await page.keyboard.press('End');
    await row(page, 'line 100000').waitFor();

    // A late line, by search.
    await page.getByLabel('Search the log').fill('line 99999');
    await page.getByTestId('log-count').getByText(`1 of ${stored.length} lines`).waitFor();
    await row(page, 'line 99999').waitFor();
    await page.getByLabel('Search the log').fill('');
    await waitForCount(page, stored.length);

    // The whole log, in order, as stored.
    expect(await downloaded(page)).toEqual(stored.map(({ stream, text }) => ({ stream, text })));
  }

  it('shows a finished run of 100,000 lines with only a window of them in the page, every line reachable', async () => {
    const runId = await startRun(
      'Hundred thousand lines',
      `for i in $(seq 1 ${LINES}); do echo "line $i"; done`,
    );
    expect(await waitForStatus(runId, ['succeeded', 'failed'])).toBe('succeeded');
    const total = (await storedLog(runId)).length;

    const page = await openRunPage(runId);
    const { roundTrips } = await probeUntil(page, async (count) => count >= total);
    // A control answers while the log is in the page.
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Follow' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    await expectWholeLogReachable(page, runId);
    await expectNoFreeze(page, roundTrips);
  });

  it('follows 100,000 lines as they arrive live, keeping the newest in view and the page answering', async () => {
    const runId = await startRun(
      'Hundred thousand live lines',
      // Waits (bounded) until the page follows the run, so every line arrives live. The
      // script's sandbox shares nothing with the test but Cronium: a variable is the signal.
      `for t in $(seq 1 600); do [ "$(cronium_get_variable go_100k 2>/dev/null)" = yes ] && break; sleep 0.2; done\n` +
        `for i in $(seq 1 ${LINES}); do echo "line $i"; done`,
    );
    await waitForStatus(runId, ['running']);
    const page = await openRunPage(runId);
    await page.getByTestId('live-state').getByText('live', { exact: true }).waitFor();
    await signal('go_100k');

    // While the run writes, then until the page shows all it stored.
    let total = Infinity;
    const probes = await probeUntil(page, async (count) => {
      if (total === Infinity && (await runStatus(runId)) !== 'running')
        total = (await storedLog(runId)).length;
      return count >= total;
    });
    // Nobody scrolled: following kept the newest line in view all along.
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    await expectWholeLogReachable(page, runId);
    await expectNoFreeze(page, probes.roundTrips);
    expect(probes.partial).toBeGreaterThan(0);
  });

  it('resumes after the WebSocket drops mid-run, with every line once and in order', async () => {
    const runId = await startRun(
      'Ticks',
      // Numbered lines, a few a second, until the test has dropped the connection (bounded).
      [
        'i=0',
        'while [ $i -lt 3000 ]; do',
        '  i=$((i+1)); echo "tick $i"; sleep 0.02',
        '  [ $((i % 10)) = 0 ] && [ "$(cronium_get_variable ticks_stop 2>/dev/null)" = yes ] && break',
        'done',
        'echo "ticks: $i"',
      ].join('\n'),
    );
    await waitForStatus(runId, ['running']);
    const page = await openRunPage(runId);
    const state = page.getByTestId('live-state');
    await state.getByText('live', { exact: true }).waitFor();

    const ticksShown = async () => (await shownCount(page)).total;
    const before = await ticksShown();
    for (const how of ['SIGKILL', 'SIGTERM'] as const) {
      await waitForMoreLines(page, (await ticksShown()) + 20);
      // The drop: the ws process ends (a crash, then a restart); the web port's proxy cuts the
      // browser's socket, and refuses new ones until the ws process is back.
      await stack.live!.stop(how);
      await state.getByText('reconnecting', { exact: true }).waitFor();
      const whileDown = await ticksShown();
      await sleep(1_500);
      // Nothing arrives while the connection is down (the run keeps writing meanwhile).
      expect(await ticksShown()).toBe(whileDown);
      await stack.live!.start();
      await state.getByText('live', { exact: true }).waitFor({ timeout: 60_000 });
      // The lines written while it was down arrive after the reconnection.
      await waitForMoreLines(page, whileDown);
    }
    // The drops happened while the run was writing.
    expect(await runStatus(runId)).toBe('running');
    expect(await ticksShown()).toBeGreaterThan(before);
    await signal('ticks_stop');
    await waitForStatus(runId, ['succeeded']);
    const stored = await storedLog(runId);
    await waitForCount(page, stored.length);
    await page.getByText(/^ticks: \d+$/).waitFor();
    // The run has ended: the log says so instead of "live".
    await state.getByText('ended', { exact: true }).waitFor();

    const shown = await downloaded(page);
    const ticks = shown.filter((l) => l.stream === 'stdout' && l.text.startsWith('tick '));
    const summary = shown.find((l) => /^ticks: \d+$/.test(l.text));
    expect(ticks.map((l) => l.text)).toEqual(
      Array.from({ length: ticks.length }, (_, i) => `tick ${i + 1}`),
    );
    expect(`ticks: ${ticks.length}`).toBe(summary?.text);
    // Exactly what the run stored, nothing lost, nothing repeated.
    expect(shown).toEqual(stored.map(({ stream, text }) => ({ stream, text })));
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
