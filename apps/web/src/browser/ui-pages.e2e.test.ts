// Every page of the UI, as a user with some history sees it, in light and dark, at desktop
// width and at 375 px: a screenshot of each (apps/web/screenshots/, looked at by people) and
// axe-core's accessibility check, which must find no serious or critical violation.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TEST_PASSWORD, startApiStack, type ApiStack } from '../api/testing/api-stack.ts';
import { deliver } from '../api/testing/webhook-client.ts';
import {
  LOOKS,
  describeInBrowser,
  launchChromium,
  openContext,
  screenshotPath,
  seriousViolations,
  signInThroughUi,
} from './testing/browser.ts';

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

describeInBrowser('every page, in light and dark, at desktop width and 375 px', () => {
  jest.setTimeout(120_000);
  let stack: ApiStack;
  let browser: Browser;
  let signedIn: StorageState;
  const ids: Record<string, number | string> = {};

  /**
   * Opens `path` in each look, waits until its data is shown, does `then` (opens a dialog,
   * selects something), screenshots it and runs axe.
   */
  async function checkPage(
    name: string,
    path: string,
    state?: StorageState,
    then?: (page: Page) => Promise<void>,
  ) {
    const problems: string[] = [];
    for (const look of LOOKS) {
      const { context, page } = await openContext(browser, stack.base, look, state);
      try {
        await page.goto(path);
        await page.locator('h1').first().waitFor();
        await then?.(page);
        // Until nothing is loading (a page may load several lists side by side).
        await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
        await page
          .locator('.mantine-Skeleton-root')
          .first()
          .waitFor({ state: 'detached' })
          .catch(() => undefined);
        // Transitions (Mantine's are 150-200 ms) end before the picture.
        await page.waitForTimeout(400);
        // From the top: a page scrolled by `then` (details brought into view) would show the
        // fixed header over the middle of the full-page picture.
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.screenshot({ path: screenshotPath(`${name}-${look.name}`), fullPage: true });
        for (const v of await seriousViolations(page)) problems.push(`${look.name}: ${v}`);
        // Wide content (tables, code, URLs) scrolls in its own box; the page never sideways,
        // where controls at the right edge would be cut off at 375 px.
        const sideways = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        if (sideways > 0)
          problems.push(`${look.name}: the page scrolls sideways by ${sideways} px`);
      } finally {
        await context.close();
      }
    }
    expect(problems).toEqual([]);
  }

  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startApiStack({ engine: true, live: true }),
      launchChromium(),
    ]);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('setup', async () => {
    await checkPage('setup', '/setup');
  });

  it('sign-in and invitation (signed out)', async () => {
    const { call } = stack;
    expect(
      (
        await call('POST', '/api/v1/setup', undefined, {
          email: 'ada@example.com',
          password: TEST_PASSWORD,
          name: 'Ada Lovelace',
        })
      ).status,
    ).toBe(201);
    const admin = await stack.signIn('ada@example.com');
    // Some history: events of each type, runs that succeeded and failed, a server, variables,
    // a token and an invited user.
    const event = (body: Record<string, unknown>) =>
      call('POST', '/api/v1/events', admin, { targetKind: 'local', ...body });
    const report = (
      await event({
        name: 'Nightly report',
        type: 'bash',
        description: 'Builds the sales report and mails it',
        script:
          'echo -e "\\e[32mgreen\\e[0m line"; for i in $(seq 1 40); do echo "row $i"; done; echo warn >&2; cronium_set_output \'{"rows": 40}\'',
        schedule: { cron: '30 2 * * *', timezone: 'America/New_York' },
        tags: ['reports', 'nightly'],
      })
    ).json;
    ids.event = report.id;
    await event({
      name: 'Cleanup',
      type: 'python',
      script: 'import sys\nprint("cleaning")\nsys.exit(3)',
      schedule: { cron: '*/15 * * * *' },
    });
    const ping = await event({
      name: 'Ping API',
      type: 'http',
      http: { method: 'GET', url: `${stack.base}/health` },
    });
    await event({
      name: 'Sync users',
      type: 'node',
      script: 'console.log("sync")',
      status: 'paused',
      tags: ['sync'],
    });
    const ok = (
      await call('POST', `/api/v1/events/${report.id}/runs`, admin, { input: { day: 'monday' } })
    ).json;
    await stack.finished(admin, ok.id);
    ids.run = ok.id;
    const cleanup = (await call('GET', '/api/v1/events?q=Cleanup', admin)).json.events[0];
    await stack.finished(
      admin,
      (await call('POST', `/api/v1/events/${cleanup.id}/runs`, admin, {})).json.id,
    );
    const keys = mkdtempSync(join(tmpdir(), 'cronium-ui-key-'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keys, 'k')]);
    const server = (
      await call('POST', '/api/v1/servers', admin, {
        name: 'build-01',
        host: '127.0.0.1',
        port: 2222,
        username: 'deploy',
        auth: { method: 'private_key', privateKey: readFileSync(join(keys, 'k'), 'utf8') },
      })
    ).json;
    rmSync(keys, { recursive: true, force: true });
    ids.server = server.id;
    await call('PUT', '/api/v1/variables/last_seen_id', admin, {
      value: '4711',
      description: 'the last order seen',
    });
    await call('PUT', '/api/v1/variables/SLACK_TOKEN', admin, {
      value: 'xoxb-secret-value',
      secret: true,
    });
    for (const [kind, name, config] of [
      ['slack', 'ops-channel', { webhookUrl: 'https://hooks.slack.com/services/T0/B0/x' }],
      [
        'email',
        'company-mail',
        { host: 'smtp.example.com', port: 587, tls: 'starttls', from: 'cronium@example.com' },
      ],
    ] as const)
      await call('POST', '/api/v1/tools/credentials', admin, { kind, name, config });
    // The report's actions: a message when it fails, the cleanup when it succeeds.
    const slack = (await call('GET', '/api/v1/tools/credentials', admin)).json.find(
      (c: { name: string }) => c.name === 'ops-channel',
    );
    expect(
      (
        await call('PATCH', `/api/v1/events/${report.id}`, admin, {
          actions: [
            {
              on: 'failure',
              tool: {
                credentialId: slack.id,
                params: { text: ':x: {{ event.name }} failed: {{ run.error }}' },
              },
            },
            { on: 'success', event: { id: cleanup.id } },
          ],
        })
      ).status,
    ).toBe(200);
    // Its webhooks: one called once and rotated (its old secret still accepted), one disabled.
    const github = (
      await call('POST', `/api/v1/events/${report.id}/webhooks`, admin, {
        name: 'github push',
        headers: ['X-GitHub-Event'],
      })
    ).json;
    expect((await deliver(github.webhook.url, github.secret)).status).toBe(202);
    await call('POST', `/api/v1/webhooks/${github.webhook.id}/rotate`, admin, {});
    const partner = (
      await call('POST', `/api/v1/events/${report.id}/webhooks`, admin, {
        name: 'partner export',
        authMode: 'bearer',
      })
    ).json;
    await call('PATCH', `/api/v1/webhooks/${partner.webhook.id}`, admin, { enabled: false });
    await call('POST', '/api/v1/tokens', admin, {
      name: 'ci-deploy',
      scopes: ['events:read', 'runs:write'],
    });
    const invitation = (
      await call('POST', '/api/v1/invitations', admin, { email: 'bob@example.com', role: 'user' })
    ).json;
    ids.invitation = invitation.invitationToken;
    // A workflow made through the API (no positions: the canvas lays it out) and a run of it
    // in which a node failed, its failure path ran and the success path was skipped.
    const workflow = await call('POST', '/api/v1/workflows', admin, {
      name: 'Nightly pipeline',
      description: 'The report, then the cleanup; a ping when the cleanup fails',
      nodes: [
        { name: 'report', event: { id: report.id } },
        { name: 'cleanup', event: { id: cleanup.id } },
        { name: 'ping', event: { id: ping.json.id } },
        { name: 'archive', event: { id: report.id }, input: { rows: 'report.rows' } },
      ],
      edges: [
        { from: 'report', to: 'cleanup', on: 'success' },
        { from: 'cleanup', to: 'ping', on: 'failure' },
        { from: 'cleanup', to: 'archive', on: 'success' },
      ],
    });
    expect(workflow.status).toBe(201);
    ids.workflow = workflow.json.id;
    // Its webhook, so the workflow page shows the webhooks' table too.
    expect(
      (
        await call('POST', `/api/v1/workflows/${workflow.json.id}/webhooks`, admin, {
          name: 'release tag',
        })
      ).status,
    ).toBe(201);
    const workflowRun = (
      await call('POST', `/api/v1/workflows/${workflow.json.id}/runs`, admin, {
        input: { day: 'monday' },
      })
    ).json;
    ids.workflowRun = workflowRun.id;
    for (let i = 0; ; i++) {
      const now = (await call('GET', `/api/v1/workflow-runs/${workflowRun.id}`, admin)).json;
      if (now.status !== 'running') break;
      if (i > 600) throw new Error(`workflow run ${workflowRun.id} did not end`);
      await new Promise((r) => setTimeout(r, 100));
    }

    await checkPage('signin', '/signin');
    await checkPage(
      'invitation',
      `/invitation#token=${encodeURIComponent(String(ids.invitation))}`,
    );

    const { context, page } = await openContext(browser, stack.base);
    await signInThroughUi(page, 'ada@example.com', TEST_PASSWORD);
    signedIn = await context.storageState();
    await context.close();
  });

  it.each([
    ['dashboard', '/'],
    ['events', '/events'],
    ['event-new', '/events/new'],
    ['event', '/events/{event}'],
    ['event-webhooks', '/events/{event}#webhooks'],
    ['event-edit', '/events/{event}/edit'],
    ['runs', '/runs'],
    ['run', '/runs/{run}'],
    ['workflows', '/workflows'],
    ['workflow', '/workflows/{workflow}'],
    ['workflow-edit', '/workflows/{workflow}/edit'],
    ['workflow-run', '/workflow-runs/{workflowRun}'],
    ['servers', '/servers'],
    ['server', '/servers/{server}'],
    ['variables', '/variables'],
    ['tools', '/tools'],
    ['tokens', '/tokens'],
    ['users', '/users'],
    ['audit', '/audit'],
    ['settings', '/settings'],
  ])('%s', async (name, path) => {
    await checkPage(
      name,
      path.replace(/\{(\w+)\}/g, (_, key: string) => String(ids[key])),
      signedIn,
    );
  });

  // What the page shows only after a click: the dialogs and details most likely to overflow
  // a phone's width or lose contrast in the dark.
  it('event, with Run at… open', async () => {
    await checkPage('event-run-at', `/events/${ids.event}`, signedIn, async (page) => {
      await page.getByRole('button', { name: 'Run at…' }).click();
      await page.getByRole('dialog', { name: 'Run at a time' }).waitFor();
    });
  });

  it('workflow run, with its failed node selected', async () => {
    await checkPage(
      'workflow-run-node',
      `/workflow-runs/${ids.workflowRun}`,
      signedIn,
      async (page) => {
        await page.getByTestId('wf-node-cleanup').click();
        const details = page.getByTestId('node-details');
        await details.getByRole('heading', { name: 'Node cleanup' }).waitFor();
        await details.getByTestId('node-state').locator('[data-status="failed"]').waitFor();
      },
    );
  });
});
