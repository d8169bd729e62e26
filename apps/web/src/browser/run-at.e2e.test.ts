// "Run at…" on an event's page, in a real Chromium against the real stack: the time is read in
// the browser's time zone (shown), a refused time is explained at its field, a scheduled run
// is listed with its time and cancelled from the event's runs, and the dialog passes axe.
import type { Browser, Page } from 'playwright-core';
import { TEST_PASSWORD, startApiStack, type ApiStack } from '../api/testing/api-stack.ts';
import {
  describeInBrowser,
  label,
  launchChromium,
  openContext,
  runIdFromUrl,
  screenshotPath,
  seriousViolations,
  signInThroughUi,
} from './testing/browser.ts';

const ADMIN = 'ada@example.com';
/** The browser's zone (`openContext`). */
const ZONE = 'Europe/Berlin';

/** A moment as a datetime-local value in `ZONE` (`YYYY-MM-DDTHH:mm`). */
function inZone(at: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

describeInBrowser('Run at… in the UI', () => {
  jest.setTimeout(120_000);
  let stack: ApiStack;
  let browser: Browser;
  let page: Page;
  let admin: string;
  let eventId: number;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startApiStack({ engine: true }), launchChromium()]);
    await stack.call('POST', '/api/v1/setup', undefined, {
      email: ADMIN,
      password: TEST_PASSWORD,
      name: 'Ada',
    });
    admin = await stack.signIn(ADMIN);
    const event = await stack.call('POST', '/api/v1/events', admin, {
      name: 'nightly report',
      type: 'bash',
      targetKind: 'local',
      script: 'echo report',
    });
    expect(event.status).toBe(201);
    eventId = event.json.id;
    ({ page } = await openContext(browser, stack.base));
    await signInThroughUi(page, ADMIN, TEST_PASSWORD);
  }, 180_000);
  afterEach(async () => {
    const name = (expect.getState().currentTestName ?? 'test').replace(/[^a-z0-9]+/gi, '-');
    await page
      ?.screenshot({ path: screenshotPath(`run-at-${name}`), fullPage: true })
      .catch(() => undefined);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('schedules a run at a local time, lists it with a Cancel button, and cancels it', async () => {
    await page.goto(`/events/${eventId}`);
    await page.getByRole('button', { name: 'Run at…' }).click();
    const field = page.getByLabel(label(`Date and time (${ZONE})`));
    await field.waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // Two years ahead: the API's 422 is shown at the field, and the dialog stays open.
    await field.fill(inZone(new Date(Date.now() + 2 * 366 * 86_400_000)));
    await page.getByRole('button', { name: 'Schedule run' }).click();
    await page.getByText('more than a year ahead').first().waitFor();

    // In 30 days, at a whole minute: the run's time is that local time in the browser's zone.
    const at = new Date(Math.floor((Date.now() + 30 * 86_400_000) / 60_000) * 60_000);
    await field.fill(inZone(at));
    await page.getByRole('button', { name: 'Schedule run' }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    const runId = runIdFromUrl(page.url());
    await page.getByTestId('run-status').locator('[data-status="scheduled"]').waitFor();
    const run = (await stack.call('GET', `/api/v1/runs/${runId}`, admin)).json;
    expect(run).toMatchObject({ status: 'scheduled', runAt: at.toISOString() });

    // The event's runs list it as scheduled, for its time, with a Cancel button.
    await page.goto(`/events/${eventId}`);
    const cancel = page.getByRole('button', { name: `Cancel scheduled run #${runId}` });
    await cancel.waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await cancel.click();
    await cancel.waitFor({ state: 'detached' });
    expect((await stack.call('GET', `/api/v1/runs/${runId}`, admin)).json).toMatchObject({
      status: 'cancelled',
      attempt: 0,
    });
  });
});
