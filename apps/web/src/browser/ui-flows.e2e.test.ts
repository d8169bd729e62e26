// The web UI end to end in a real Chromium against the real stack (web, ws, runtime API,
// orchestrator with the local executor, PostgreSQL): what a new user does, from the first
// start to watching a run's log. Each test builds on the ones before, as a person would.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { startPrivateSshd, type PrivateSshd } from '@cronium/executors/testing';
import { TEST_PASSWORD, startApiStack, type ApiStack } from '../api/testing/api-stack.ts';
import { deliver } from '../api/testing/webhook-client.ts';
import {
  describeInBrowser,
  label,
  launchChromium,
  openContext,
  runIdFromUrl,
  screenshotPath,
} from './testing/browser.ts';

const ADMIN = 'ada@example.com';

describeInBrowser('the web UI', () => {
  jest.setTimeout(120_000);
  let stack: ApiStack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startApiStack({ engine: true, live: true }),
      launchChromium(),
    ]);
    ({ page } = await openContext(browser, stack.base));
    page.on('pageerror', (error) => console.error(`page error: ${error.message}\n${error.stack}`));
  }, 180_000);
  afterEach(async () => {
    // What the page showed when each test ended (looked at when one fails).
    const name = (expect.getState().currentTestName ?? 'test').replace(/[^a-z0-9]+/gi, '-');
    await page
      ?.screenshot({ path: screenshotPath(`flow-${name}`), fullPage: true })
      .catch(() => undefined);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** Types a script into the code editor, replacing what is there. */
  async function typeScript(script: string) {
    const editor = page.locator('.cm-content');
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(script);
  }

  async function chooseType(label: string) {
    await page.locator('label', { hasText: new RegExp(`^${label}$`) }).click();
  }

  /** Creates an event through the editor; returns its id (from the event page's URL). */
  async function createEvent(name: string, fill: () => Promise<void>): Promise<number> {
    await page.goto('/events/new');
    await page.getByLabel(label('Name')).fill(name);
    await fill();
    await page.getByRole('button', { name: 'Create event' }).click();
    await page.getByRole('heading', { name }).waitFor();
    return Number(/\/events\/(\d+)/.exec(page.url())![1]);
  }

  /** Runs the event on its page ("Run now"), optionally with input; returns the run id. */
  async function runNow(input?: string): Promise<number> {
    await page.getByRole('button', { name: 'Run now' }).click();
    if (input) await page.getByLabel(label('Input (JSON)')).fill(input);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    return runIdFromUrl(page.url());
  }

  async function expectRunStatus(status: string, timeout = 30_000) {
    await page.getByTestId('run-status').locator(`[data-status="${status}"]`).waitFor({ timeout });
  }

  it('sends a first visitor to setup, creates the first admin and shows the dashboard', async () => {
    await page.goto('/');
    await page.waitForURL(/\/setup$/);
    await page.getByLabel(label('Email')).fill(ADMIN);
    await page.getByLabel(label('Name')).fill('Ada');
    await page.getByLabel(label('Password')).fill('short');
    await page.getByLabel(label('Password again')).fill('short');
    await page.getByRole('button', { name: 'Create admin and sign in' }).click();
    // The API's field problem is shown next to the password.
    await expect(
      page
        .getByText(/must NOT have fewer than 10 characters|at least 10/i)
        .first()
        .isVisible(),
    ).resolves.toBe(true);
    await page.getByLabel(label('Password')).fill(TEST_PASSWORD);
    await page.getByLabel(label('Password again')).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Create admin and sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect((await stack.call('GET', '/api/v1/setup')).json.needed).toBe(false);
  });

  it('signs out, refuses a wrong password with a message, and signs in again', async () => {
    await page.getByRole('button', { name: /account menu/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin/);
    await page.goto('/events');
    await page.waitForURL(/\/signin\?next=%2Fevents/);
    await page.getByLabel(label('Email')).fill(ADMIN);
    await page.getByLabel(label('Password')).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /wrong email or password/i })
      .waitFor();
    await page.getByLabel(label('Password')).fill(TEST_PASSWORD);
    const signedIn = page.waitForResponse((r) => r.url().endsWith('/api/v1/sessions'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect((await signedIn).status()).toBe(201);
    await page.waitForURL(/\/events$/);
    await page.getByRole('heading', { name: 'Events', exact: true }).waitFor();
    await page.getByText('No events yet').waitFor();
  });

  it('creates a Bash event with a schedule, previews its next fires, runs it with input and streams its log', async () => {
    const id = await createEvent('Nightly report', async () => {
      await chooseType('Bash');
      await typeScript(
        'echo "start $(cronium_get_input)"\nfor i in 1 2 3; do echo "line $i"; done\necho "oops" >&2\ncronium_set_output \'{"lines": 3}\'\n',
      );
      await page.getByLabel(label('Run on a schedule')).check();
      await page.getByLabel(label('Cron expression')).fill('30 2 * * *');
      await page
        .locator('input')
        .and(page.getByLabel(label('Time zone')))
        .fill('America/New_York');
      await page.getByRole('option', { name: 'America/New_York', exact: true }).click();
      const preview = page.getByTestId('schedule-preview');
      await preview
        .getByText(/America\/New_York/)
        .first()
        .waitFor();
      expect(await preview.locator('li').count()).toBe(5);
      await page.getByLabel(label('Local process')).check({ force: true });
    });
    const event = (await stack.call('GET', `/api/v1/events/${id}`, await stack.signIn(ADMIN))).json;
    expect(event.schedule).toEqual({
      cron: '30 2 * * *',
      timezone: 'America/New_York',
      misfirePolicy: 'last',
    });
    expect(event.targetKind).toBe('local');

    await runNow('{"who": "ui"}');
    await expectRunStatus('succeeded');
    const log = page.getByTestId('run-log');
    await log.getByText('start {"who":"ui"}').waitFor();
    await log.getByText('line 3').waitFor();
    await expect(
      log.locator('[data-stream="stderr"]').filter({ hasText: 'oops' }).count(),
    ).resolves.toBe(1);
    await page.getByText('"lines": 3').waitFor();
  });

  it('creates Python and Node.js events and runs each', async () => {
    for (const [type, name, script, expected] of [
      [
        'Python',
        'Py hello',
        'import cronium\nprint("py says hi")\ncronium.set_output({"py": True})\n',
        '"py": true',
      ],
      [
        'Node.js',
        'Node hello',
        "import cronium from 'cronium';\nconsole.log('node says hi');\nawait cronium.setOutput({ node: 1 });\n",
        '"node": 1',
      ],
    ] as const) {
      await createEvent(name, async () => {
        await chooseType(type);
        await typeScript(script);
        await page.getByLabel(label('Local process')).check({ force: true });
      });
      await runNow();
      await expectRunStatus('succeeded');
      await page
        .getByTestId('run-log')
        .getByText(/says hi/)
        .waitFor();
      await page.getByText(expected).waitFor();
    }
  });

  it('creates an HTTP event and runs it against a local endpoint', async () => {
    await createEvent('Ping health', async () => {
      await chooseType('HTTP request');
      await page.getByLabel(label('URL')).fill(`${stack.base}/health`);
    });
    await runNow();
    await expectRunStatus('succeeded');
    await page.getByTestId('run-log').getByText(/200/).first().waitFor();
  });

  it("shows the API's field errors next to their fields and saves nothing", async () => {
    const before = (await stack.call('GET', '/api/v1/events', await stack.signIn(ADMIN))).json
      .total;
    await page.goto('/events/new');
    await page.getByLabel(label('Name')).fill('Broken schedule');
    await page.getByLabel(label('Run on a schedule')).check();
    await page.getByLabel(label('Cron expression')).fill('61 * * * *');
    await page
      .getByRole('alert')
      .filter({ hasText: /cannot be used/ })
      .waitFor();
    await page.getByRole('button', { name: 'Create event' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /not saved/ })
      .waitFor();
    // The cron field carries the API's message.
    const cron = page.getByLabel(label('Cron expression'));
    await expect(cron.getAttribute('aria-invalid')).resolves.toBe('true');
    expect((await stack.call('GET', '/api/v1/events', await stack.signIn(ADMIN))).json.total).toBe(
      before,
    );
  });

  it('cancels a running run from its page', async () => {
    await createEvent('Long job', async () => {
      await typeScript('echo started\nsleep 60\necho never\n');
      await page.getByLabel(label('Local process')).check({ force: true });
    });
    await runNow();
    await page.getByTestId('run-log').getByText('started').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await expectRunStatus('cancelled');
    await expect(page.getByText('never').count()).resolves.toBe(0);
  });

  it('filters run history by event and status, and keeps an event chosen by the address', async () => {
    await page.goto('/runs');
    const runs = page.getByRole('table', { name: 'Runs' });
    await runs.getByText('Long job').waitFor();
    const eventPicker = page.locator('input').and(page.getByLabel(label('Event')));
    await eventPicker.fill('Long');
    await page.getByRole('option', { name: 'Long job' }).click();
    await page
      .locator('input')
      .and(page.getByLabel(label('Status')))
      .click();
    await page.getByRole('option', { name: 'succeeded' }).click();
    await page.getByText('No runs').waitFor();
    await page
      .locator('input')
      .and(page.getByLabel(label('Status')))
      .click();
    await page.getByRole('option', { name: 'cancelled' }).click();
    await runs.getByText('cancelled').waitFor();
    await expect(runs.getByText('Py hello').count()).resolves.toBe(0);

    const cookie = await stack.signIn(ADMIN);
    const py = (await stack.call('GET', '/api/v1/events?q=Py%20hello', cookie)).json.events[0];
    await page.goto(`/runs?eventId=${py.id}`);
    await page.waitForFunction(() =>
      [...document.querySelectorAll('input')].some((input) => input.value === 'Py hello'),
    );
    await runs.getByText('succeeded').waitFor();
    await expect(runs.getByText('Long job').count()).resolves.toBe(0);
  });

  it('filters, searches and pauses events in bulk on the events page', async () => {
    await page.goto('/events');
    await page.getByRole('table', { name: 'Events' }).getByText('Nightly report').waitFor();
    await page.getByLabel(label('Search')).fill('hello');
    await page.getByText('2 events').waitFor();
    await page.getByLabel(label('Select all on this page')).check();
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('2 events paused').waitFor();
    const cookie = await stack.signIn(ADMIN);
    const paused = (await stack.call('GET', '/api/v1/events?status=paused', cookie)).json.events;
    expect(paused.map((e: { name: string }) => e.name).sort()).toEqual(['Node hello', 'Py hello']);
    await page.getByLabel(label('Search')).fill('');
    await page
      .locator('input')
      .and(page.getByLabel(label('Type')))
      .click();
    await page.getByRole('option', { name: 'http' }).click();
    await page.getByText('1 event', { exact: true }).waitFor();
  });

  it('adds a server, shows its host key for confirmation, confirms it and tests the connection', async () => {
    const sshd: PrivateSshd = await startPrivateSshd();
    try {
      await page.goto('/servers');
      await page.getByRole('button', { name: 'Add server' }).first().click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel(label('Name')).fill('test box');
      await dialog.getByLabel(label('Host')).fill(sshd.host);
      await dialog.getByLabel(label('Port')).fill(String(sshd.port));
      await dialog.getByLabel(label('User')).fill(sshd.username);
      await dialog.getByRole('textbox', { name: label('Private key') }).fill(sshd.privateKey);
      await dialog.getByRole('button', { name: 'Add server' }).click();
      await page.getByRole('heading', { name: 'test box' }).waitFor();
      await page.getByText('Not confirmed yet').waitFor();
      await page.getByRole('button', { name: 'Scan host key' }).click();
      await page.getByTestId('host-key-scan').getByText(sshd.hostKeyFingerprint).waitFor();
      await page.getByRole('button', { name: /confirm/ }).click();
      await page.getByText(`Pinned: ${sshd.hostKeyFingerprint}`).waitFor();
      await page.getByRole('button', { name: 'Test connection' }).click();
      await page.getByTestId('connection-report').getByText('Connection test: passed').waitFor();
    } finally {
      await sshd.stop();
    }
  });

  it('stores a webhook credential, never shows it again, sends a test message, runs a tool event with it, reports a run through an action and starts another event from one', async () => {
    const received: string[] = [];
    const sink = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push(body);
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook/s3cret-path`;
      await page.goto('/tools');
      await page.getByText('No tool credentials yet').waitFor();
      await page.getByRole('button', { name: 'New credential' }).click();
      const dialog = page.getByRole('dialog');
      await dialog
        .locator('input')
        .and(dialog.getByLabel(label('Tool')))
        .click();
      await page.getByRole('option', { name: 'Webhook' }).click();
      await dialog.getByLabel(label('Name')).fill('deploy-hook');
      await dialog.getByLabel(label('URL')).fill(url);
      await dialog.getByRole('button', { name: 'Save credential' }).click();
      const table = page.getByRole('table', { name: 'Tool credentials' });
      await table.getByText('deploy-hook').waitFor();
      await expect(page.getByText('s3cret-path').count()).resolves.toBe(0);

      await page.getByRole('button', { name: 'Test deploy-hook' }).click();
      await page.getByRole('button', { name: 'Send test message' }).click();
      await page.getByRole('status').filter({ hasText: 'Sent' }).waitFor();
      expect(received.map((b) => JSON.parse(b))).toEqual([
        { cronium: 'test', credential: 'deploy-hook' },
      ]);
      await page.getByRole('button', { name: 'Close' }).click();

      // A tool event with that credential: its template is filled from the run it sends for.
      await createEvent('Notify deploy', async () => {
        await chooseType('Tool action');
        await page
          .locator('input')
          .and(page.getByLabel(label('Credential')))
          .click();
        await page.getByRole('option', { name: 'deploy-hook (webhook)' }).click();
        await page
          .getByLabel(label('Body'))
          .fill('{"run": {{ run.id }}, "who": "{{ input.who }}"}');
      });
      const runId = await runNow('{"who": "ada"}');
      await expectRunStatus('succeeded');
      expect(JSON.parse(received.at(-1)!)).toEqual({ run: runId, who: 'ada' });

      // A script event that reports when it succeeds, through an action after the run.
      const reportId = await createEvent('Report rows', async () => {
        await typeScript('echo "rows: 7"\n');
        await page.getByLabel(label('Local process')).check({ force: true });
        await page.getByRole('button', { name: 'Add action' }).click();
        await page
          .locator('input')
          .and(page.getByLabel(label('When')))
          .click();
        await page.getByRole('option', { name: 'On success' }).click();
        await page
          .locator('input')
          .and(page.getByLabel(label('Credential of action 1')))
          .click();
        await page.getByRole('option', { name: 'deploy-hook (webhook)' }).click();
        await page
          .getByLabel(label('Body'))
          .fill(
            '{"reported": {{ run.id }}, "status": "{{ run.status }}", "last": "{{ logs | last }}"}',
          );
        // A second action starts the tool event above, found by searching its name.
        await page.getByRole('button', { name: 'Add action' }).click();
        const second = page.getByRole('region', { name: 'Action 2' });
        await second.getByText('Start an event').click();
        await second
          .locator('input')
          .and(second.getByLabel(label('When')))
          .click();
        await page.getByRole('option', { name: 'On success' }).click();
        const picker = second
          .locator('input')
          .and(second.getByLabel(label('Event action 2 starts')));
        await picker.click();
        await picker.fill('Notify');
        await page.getByRole('option', { name: 'Notify deploy' }).click();
      });
      const reported = await runNow();
      await expectRunStatus('succeeded');
      const arrived = (tag: string) => received.some((b) => b.includes(tag));
      for (let i = 0; i < 100 && !(arrived('reported') && received.length >= 4); i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(JSON.parse(received.find((b) => b.includes('reported'))!)).toEqual({
        reported,
        status: 'succeeded',
        last: 'rows: 7',
      });
      // The started run of "Notify deploy" (its input is the reporting run's output: none).
      const started = received
        .map((b) => JSON.parse(b))
        .filter((b) => 'who' in b && b.run !== runId);
      expect(started).toHaveLength(1);
      expect(started[0]).toMatchObject({ who: '' });
      // The event page lists both actions.
      await page.goto(`/events/${reportId}`);
      await page.getByRole('tab', { name: /After each run/ }).click();
      const listed = page.getByRole('table', { name: 'After each run' });
      await listed.getByText('Sends through deploy-hook (webhook)').waitFor();
      await listed.getByRole('link', { name: 'Notify deploy' }).waitFor();
    } finally {
      await new Promise((resolve) => sink.close(resolve));
    }
  });

  it('adds a webhook to an event, shows its URL and secret once, runs the event from a signed request, rotates and disables it', async () => {
    const id = await createEvent('Deploy on push', async () => {
      await chooseType('Bash');
      await typeScript('cronium_set_output "$(cronium_get_input)"\n');
    });
    await page.getByRole('tab', { name: 'Webhooks' }).click();
    await page.getByText('No webhooks').waitFor();
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(label('Name')).fill('github');
    const headers = dialog.getByLabel('Headers to pass to the run');
    await headers.fill('X-GitHub-Event');
    await headers.press('Enter');
    await dialog.getByRole('button', { name: 'Add webhook' }).click();
    const url = (await dialog.getByTestId('webhook-url').textContent())!.trim();
    const secret = (await dialog.getByTestId('webhook-secret').textContent())!.trim();
    expect(url).toMatch(new RegExp(`^${stack.base}/api/v1/hooks/[A-Za-z0-9_-]{24}$`));
    expect(secret).toMatch(/^crw_/);
    await page.screenshot({ path: screenshotPath('flow-webhook-shown-once') });
    await dialog.getByRole('button', { name: 'Done' }).click();
    const table = page.getByRole('table', { name: 'Webhooks' });
    await table.getByText('github').waitFor();
    await table.getByText(url).waitFor();
    // Shown once: nowhere on the page now, nor after a reload.
    await expect(page.getByText(secret).count()).resolves.toBe(0);

    const sent = await deliver(url, secret, {
      body: '{"ref": "refs/heads/main"}',
      headers: { 'x-github-event': 'push', 'x-not-chosen': 'no' },
    });
    expect([sent.status, sent.json.status]).toEqual([202, 'queued']);
    await page.reload();
    await page.getByRole('tab', { name: 'Runs' }).click();
    await page.getByRole('link', { name: `#${sent.json.runId}` }).click();
    await page.waitForURL(new RegExp(`/runs/${sent.json.runId}$`));
    await expectRunStatus('succeeded');
    await page.getByText('webhook', { exact: true }).first().waitFor();
    await page
      .getByText(/refs\/heads\/main/)
      .first()
      .waitFor();
    await page
      .getByText(/x-github-event/)
      .first()
      .waitFor();
    await expect(page.getByText(/x-not-chosen/).count()).resolves.toBe(0);

    // A new secret, the old one refused at once; then disabled, the URL answers 404.
    await page.goto(`/events/${id}#webhooks`);
    await page.getByRole('button', { name: 'Rotate the secret of github' }).click();
    await page.getByRole('dialog').getByLabel('Keep accepting the old secret for').click();
    await page.getByRole('option', { name: 'Stop accepting it now' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = (await page.getByTestId('webhook-secret').textContent())!.trim();
    expect(rotated).not.toBe(secret);
    await page.getByRole('dialog').getByRole('button', { name: 'Done' }).click();
    expect((await deliver(url, secret)).status).toBe(401);
    expect((await deliver(url, rotated)).status).toBe(202);
    // From the keyboard (the switch's track covers its input).
    await page.getByRole('switch', { name: 'github enabled' }).press('Space');
    await page.getByText('Webhook github disabled').waitFor();
    expect((await deliver(url, rotated)).status).toBe(404);
  });

  it('creates an API token that is shown once and works', async () => {
    await page.goto('/tokens');
    await page.getByRole('button', { name: 'New token' }).click();
    await page.getByLabel(label('Name')).fill('ci');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('new-token').textContent())!.trim();
    expect(token).toMatch(/^crn_/);
    const events = await stack.call('GET', '/api/v1/events', token);
    expect(events.status).toBe(200);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('table', { name: 'API tokens' }).getByText('ci').waitFor();
    await expect(page.getByText(token).count()).resolves.toBe(0);
  });

  it('pauses, resumes and deletes a workflow and an event from their pages, asking before it deletes', async () => {
    const cookie = await stack.signIn(ADMIN);
    const event = await stack.call('POST', '/api/v1/events', cookie, {
      name: 'Short lived',
      type: 'bash',
      targetKind: 'local',
      script: 'true',
    });
    expect(event.status).toBe(201);
    const workflow = await stack.call('POST', '/api/v1/workflows', cookie, {
      name: 'Short flow',
      nodes: [{ name: 'only', event: { id: event.json.id } }],
      edges: [],
    });
    expect(workflow.status).toBe(201);
    // The workflow first: it uses the event.
    for (const [kind, id, name] of [
      ['workflow', workflow.json.id, 'Short flow'],
      ['event', event.json.id, 'Short lived'],
    ] as const) {
      const Kind = kind === 'event' ? 'Event' : 'Workflow';
      const status = async () => (await stack.call('GET', `/api/v1/${kind}s/${id}`, cookie)).json;
      await page.goto(`/${kind}s/${id}`);
      await page.getByRole('heading', { name }).waitFor();
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.getByText(`${Kind} paused`).waitFor();
      await expect(status()).resolves.toMatchObject({ status: 'paused' });
      await page.getByRole('button', { name: 'Resume' }).click();
      await page.getByText(`${Kind} resumed`).waitFor();
      await expect(status()).resolves.toMatchObject({ status: 'active' });

      // The notifications stand over the header's buttons at the top right until they close
      // (never while the pointer rests on one).
      await page.mouse.move(10, 500);
      await page.waitForFunction(() => !document.querySelector('.mantine-Notification-root'));
      const dialog = page.getByRole('dialog', { name: `Delete ${name}?` });
      await page.getByRole('button', { name: 'Delete' }).click();
      await dialog.getByRole('button', { name: 'Keep it' }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect((await stack.call('GET', `/api/v1/${kind}s/${id}`, cookie)).status).toBe(200);
      await page.getByRole('button', { name: 'Delete' }).click();
      await dialog.getByRole('button', { name: 'Delete' }).click();
      await page.waitForURL(new RegExp(`/${kind}s$`));
      await page.getByText(`${Kind} deleted`).waitFor();
      expect((await stack.call('GET', `/api/v1/${kind}s/${id}`, cookie)).status).toBe(404);
    }
  });

  it("invites a user who signs up through the link and sees none of the admin's events", async () => {
    await page.goto('/users');
    await page.getByRole('button', { name: 'Invite user' }).click();
    await page.getByRole('dialog').getByLabel(label('Email')).fill('bob@example.com');
    await page.getByRole('button', { name: 'Create invitation' }).click();
    const link = (await page.getByTestId('invitation-link').textContent())!.trim();
    expect(link).toMatch(/\/invitation#token=/);

    const bob = await openContext(browser, stack.base);
    try {
      await bob.page.goto(link);
      await bob.page.getByLabel(label('Password')).fill(TEST_PASSWORD);
      await bob.page.getByLabel(label('Password again')).fill(TEST_PASSWORD);
      await bob.page.getByRole('button', { name: 'Create my account' }).click();
      await bob.page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await bob.page.goto('/events');
      await bob.page.getByText('No events yet').waitFor();
      // The admin's event is not there for bob, even by its address.
      const adminEvents = (await stack.call('GET', '/api/v1/events', await stack.signIn(ADMIN)))
        .json.events;
      await bob.page.goto(`/events/${adminEvents[0].id}`);
      await bob.page.getByText('This could not be loaded').waitFor();
      await expect(bob.page.getByRole('link', { name: 'Users' }).count()).resolves.toBe(0);

      // The admin makes bob an admin: his next page load has the admin's pages.
      await page.goto('/users');
      await page.getByRole('combobox', { name: 'Role of bob@example.com' }).click();
      await page.getByRole('option', { name: 'admin' }).click();
      await page.getByText('bob@example.com is now an admin').waitFor();
      await bob.page.goto('/users');
      await bob.page.getByRole('table', { name: 'Users' }).getByText('bob@example.com').waitFor();
    } finally {
      await bob.context.close();
    }
  });
});
