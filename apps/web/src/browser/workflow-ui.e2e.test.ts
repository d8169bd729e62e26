// The workflow pages end to end in a real Chromium against the real stack (web, ws, runtime
// API, orchestrator with the local executor, PostgreSQL): a graph drawn on the canvas, saved,
// run, and watched as its nodes run; a graph the API refuses, with each problem shown at the
// node or edge it is about; and a workflow's webhook added, called, rotated and deleted on its
// page.
import type { Browser, Page } from 'playwright-core';
import { TEST_PASSWORD, startApiStack, type ApiStack } from '../api/testing/api-stack.ts';
import { deliver } from '../api/testing/webhook-client.ts';
import {
  describeInBrowser,
  label,
  launchChromium,
  openContext,
  runIdFromUrl,
  screenshotPath,
  signInThroughUi,
} from './testing/browser.ts';

const ADMIN = 'ada@example.com';

describeInBrowser('the workflow UI', () => {
  jest.setTimeout(120_000);
  let stack: ApiStack;
  let browser: Browser;
  let page: Page;
  let admin: string;
  let workflowId: number;
  const events: Record<string, number> = {};

  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startApiStack({ engine: true, live: true }),
      launchChromium(),
    ]);
    await stack.call('POST', '/api/v1/setup', undefined, {
      email: ADMIN,
      password: TEST_PASSWORD,
      name: 'Ada',
    });
    admin = await stack.signIn(ADMIN);
    // Two local Bash events: the first takes a moment (so the run view sees it running) and
    // passes an output on; the second prints what it got.
    const steps: [string, string][] = [
      ['first step', 'sleep 2\necho "first ran"\ncronium_set_output \'{"archive": "b-1.tar"}\'\n'],
      ['second step', 'echo "second got $(cronium_get_input)"\n'],
    ];
    for (const [name, script] of steps) {
      const created = await stack.call('POST', '/api/v1/events', admin, {
        name,
        type: 'bash',
        targetKind: 'local',
        script,
      });
      expect(created.status).toBe(201);
      events[name] = created.json.id;
    }
    ({ page } = await openContext(browser, stack.base));
    page.on('pageerror', (error) => console.error(`page error: ${error.message}\n${error.stack}`));
    await signInThroughUi(page, ADMIN, TEST_PASSWORD);
  }, 180_000);
  afterEach(async () => {
    const name = (expect.getState().currentTestName ?? 'test').replace(/[^a-z0-9]+/gi, '-');
    await page
      ?.screenshot({ path: screenshotPath(`workflow-${name}`), fullPage: true })
      .catch(() => undefined);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** Adds a node running the event named `event` through "Add node". */
  async function addNode(event: string) {
    await page.getByRole('button', { name: 'Add node', exact: true }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add a node' });
    const add = dialog.getByRole('button', { name: 'Add node' });
    // A click that lands while the debounced search re-renders the options can miss (the
    // option is replaced under the pointer): choose again until the choice has taken.
    for (let tries = 1; ; tries++) {
      await dialog
        .locator('input')
        .and(dialog.getByLabel(label('Event')))
        .fill(event);
      await page.getByRole('option', { name: event, exact: true }).click();
      const deadline = Date.now() + 3_000;
      while (!(await add.isEnabled()) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      if ((await add.isEnabled()) || tries === 3) break;
    }
    await add.click();
    await dialog.waitFor({ state: 'detached' });
  }

  const node = (name: string) => page.getByTestId(`wf-node-${name}`);

  /** Where an element is once the canvas stopped moving (it fits the graph into view). */
  async function settledBox(locator: ReturnType<Page['locator']>) {
    let last = await locator.boundingBox();
    for (let i = 0; i < 50; i++) {
      await page.waitForTimeout(100);
      const now = await locator.boundingBox();
      if (now && last && now.x === last.x && now.y === last.y) return now;
      last = now;
    }
    throw new Error('the canvas did not settle');
  }

  it('draws a workflow on the canvas, saves it, runs it and follows the run live', async () => {
    await page.getByRole('link', { name: 'Workflows' }).click();
    await page.getByText('No workflows yet').waitFor();
    await page.getByRole('link', { name: 'New workflow' }).click();
    await page.getByRole('heading', { name: 'New workflow' }).waitFor();
    await page.getByLabel(label('Name')).first().fill('Nightly chain');

    await addNode('first step');
    await addNode('second step');
    await node('first_step').waitFor();
    await node('second_step').waitFor();
    // The second node was placed below the first (the one selected then), not on top of it.
    const [a, b] = [
      await node('first_step').boundingBox(),
      await node('second_step').boundingBox(),
    ];
    expect(b!.y).toBeGreaterThan(a!.y + a!.height);

    // Connect them through the node's panel (what a keyboard user does), then choose when the
    // edge fires in the edge's panel.
    await node('first_step').click();
    const panel = page.getByTestId('node-panel');
    await panel.getByRole('heading', { name: 'Node first_step' }).waitFor();
    await panel.locator('input').and(panel.getByLabel('Connect to')).click();
    await page.getByRole('option', { name: 'second_step' }).click();
    await panel.getByRole('button', { name: 'Connect' }).click();
    const edgePanel = page.getByTestId('edge-panel');
    await edgePanel.getByRole('heading', { name: 'Edge first_step → second_step' }).waitFor();
    await edgePanel.getByLabel('on success').check();
    const edge = page.getByTestId('wf-edge-first_step-second_step');
    await expect(edge.getAttribute('data-on')).resolves.toBe('success');
    await expect(edge.textContent()).resolves.toBe('on success');

    // A node dragged on the canvas keeps where it was put.
    const box = await settledBox(node('second_step'));
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 40, { steps: 8 });
    await page.mouse.up();

    await page.getByRole('button', { name: 'Create workflow' }).click();
    await page.waitForURL(/\/workflows\/\d+$/);
    workflowId = Number(/\/workflows\/(\d+)$/.exec(page.url())![1]);
    const saved = (await stack.call('GET', `/api/v1/workflows/${workflowId}`, admin)).json;
    expect(saved.name).toBe('Nightly chain');
    expect(
      saved.nodes.map((n: { name: string; event: { id: number } }) => [n.name, n.event.id]),
    ).toEqual([
      ['first_step', events['first step']],
      ['second_step', events['second step']],
    ]);
    expect(saved.edges).toEqual([{ from: 'first_step', to: 'second_step', on: 'success' }]);
    const [p1, p2] = saved.nodes.map((n: { position: { x: number; y: number } }) => n.position);
    expect(p2.x - p1.x).toBeGreaterThan(60);

    // The workflow page draws the graph read-only; Run now starts a run with an input.
    await node('second_step').waitFor();
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByLabel(label('Input (JSON)')).fill('{"day": "friday"}');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL(/\/workflow-runs\/\d+$/);
    const workflowRunId = Number(/(\d+)$/.exec(page.url())![1]);

    // The run view follows the run without a reload: the first node is seen running, then
    // both succeed.
    await node('first_step').and(page.locator('[data-state="started"]')).waitFor();
    await page
      .getByTestId('workflow-run-status')
      .locator('[data-status="succeeded"]')
      .waitFor({ timeout: 30_000 });
    await node('first_step').and(page.locator('[data-state="succeeded"]')).waitFor();
    await node('second_step').and(page.locator('[data-state="succeeded"]')).waitFor();
    await page.getByText('"day": "friday"').waitFor();

    // A node's details: its output, its log, and its run's page.
    await node('second_step').click();
    const details = page.getByTestId('node-details');
    await details.getByRole('heading', { name: 'Node second_step' }).waitFor();
    await details
      .getByTestId('run-log')
      .getByText('second got {"first_step":{"archive":"b-1.tar"}}')
      .waitFor();
    await page.screenshot({ path: screenshotPath('workflow-run-node-details'), fullPage: true });
    await details.getByRole('link', { name: /Open run #\d+/ }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    const runId = runIdFromUrl(page.url());
    expect((await stack.call('GET', `/api/v1/runs/${runId}`, admin)).json.eventId).toBe(
      events['second step'],
    );
    await page.getByTestId('run-status').locator('[data-status="succeeded"]').waitFor();
    // The node's run leads back to the workflow run it is part of.
    await page.getByRole('link', { name: `Part of workflow run #${workflowRunId}` }).click();
    await page.waitForURL(new RegExp(`/workflow-runs/${workflowRunId}$`));
    await page.getByRole('heading', { name: `Workflow run #${workflowRunId}` }).waitFor();
  });

  it('shows the problems the API finds at their node and edge, and saves nothing', async () => {
    await page.goto(`/workflows/${workflowId}/edit`);
    await node('second_step').waitFor();
    // A cycle: second_step back to first_step, drawn by dragging from the handle at the
    // bottom of one node to the handle at the top of the other.
    await page.getByRole('region', { name: "The workflow's graph" }).scrollIntoViewIfNeeded();
    const from = await settledBox(node('second_step').locator('.react-flow__handle.source'));
    const to = await settledBox(node('first_step').locator('.react-flow__handle.target'));
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
    await page.mouse.up();
    await page.getByTestId('wf-edge-second_step-first_step').waitFor();
    const panel = page.getByTestId('node-panel');
    // And a node that runs nothing: first_step switched to a workflow, none chosen.
    await node('first_step').click();
    await panel.locator('label', { hasText: /^A workflow$/ }).click();

    const patched = page.waitForResponse(
      (r) =>
        r.url().endsWith(`/api/v1/workflows/${workflowId}`) && r.request().method() === 'PATCH',
    );
    await page.getByRole('button', { name: 'Save changes' }).click();
    expect((await patched).status()).toBe(422);
    const problems = page.getByTestId('save-problems');
    await problems
      .getByText(/the edges make a cycle: first_step -> second_step -> first_step/)
      .waitFor();
    await problems
      .getByText(/a node runs one `event`, one `workflow` or one `tool` action/)
      .waitFor();
    // Each at its place on the canvas: the node and the edge are marked, with the message.
    await expect(node('first_step').getAttribute('data-invalid')).resolves.toBe('true');
    await node('first_step')
      .getByText(/a node runs one `event`/)
      .waitFor();
    const edge = page.getByTestId('wf-edge-first_step-second_step');
    await expect(edge.getAttribute('data-invalid')).resolves.toBe('true');
    await edge.getByText(/make a cycle/).waitFor();
    // The list leads to the edge: its panel opens.
    await problems.getByRole('button', { name: 'Edge first_step → second_step' }).click();
    await page
      .getByTestId('edge-panel')
      .getByText(/make a cycle/)
      .waitFor();
    expect(page.url()).toMatch(/\/edit$/);
    const saved = (await stack.call('GET', `/api/v1/workflows/${workflowId}`, admin)).json;
    expect(saved.edges).toEqual([{ from: 'first_step', to: 'second_step', on: 'success' }]);
    expect(saved.nodes.every((n: { event?: unknown }) => n.event)).toBe(true);
  });

  it('cancels a running workflow run, and re-runs a failed one from the failed node', async () => {
    const event = async (name: string, script: string) =>
      (
        await stack.call('POST', '/api/v1/events', admin, {
          name,
          type: 'bash',
          targetKind: 'local',
          script,
        })
      ).json.id as number;
    const workflow = async (name: string, body: object) =>
      (await stack.call('POST', '/api/v1/workflows', admin, { name, ...body })).json.id as number;
    const slow = await workflow('Slow one', {
      nodes: [
        { name: 'wait', event: { id: await event('slow step', 'echo waiting\nsleep 60\n') } },
      ],
    });
    const failing = await workflow('Failing one', {
      nodes: [
        { name: 'prepare', event: { id: events['second step'] } },
        { name: 'break', event: { id: await event('failing step', 'echo breaking\nexit 4\n') } },
      ],
      edges: [{ from: 'prepare', to: 'break', on: 'success' }],
    });
    const runNow = async (workflowId: number) => {
      await page.goto(`/workflows/${workflowId}`);
      await page.getByRole('button', { name: 'Run now' }).click();
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      await page.waitForURL(/\/workflow-runs\/\d+$/);
      return Number(/(\d+)$/.exec(page.url())![1]);
    };
    const status = (s: string) =>
      page.getByTestId('workflow-run-status').locator(`[data-status="${s}"]`).waitFor();

    await runNow(slow);
    await node('wait').and(page.locator('[data-state="started"]')).waitFor();
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await status('cancelled');
    await node('wait').and(page.locator('[data-state="cancelled"]')).waitFor();
    await expect(
      page.getByRole('button', { name: 'Re-run from failed' }).isVisible(),
    ).resolves.toBe(true);

    const failed = await runNow(failing);
    await status('failed');
    await node('prepare').and(page.locator('[data-state="succeeded"]')).waitFor();
    await node('break').and(page.locator('[data-state="failed"]')).waitFor();
    await page.getByRole('alert').filter({ hasText: /break/ }).waitFor();
    await page.getByRole('button', { name: 'Re-run from failed' }).click();
    await page.waitForURL((url) => !url.pathname.endsWith(`/workflow-runs/${failed}`));
    // The new run names the one it re-runs, reuses the node that succeeded and runs the rest.
    await page.getByRole('link', { name: `#${failed}` }).waitFor();
    await node('prepare').getByText('succeeded · reused').waitFor();
    await status('failed');
    await node('break').and(page.locator('[data-state="failed"]')).waitFor();
  });

  it('adds a webhook to a workflow on its page, shows the secret once, starts a run from a signed request, rotates and deletes it', async () => {
    const workflow = (
      await stack.call('POST', '/api/v1/workflows', admin, {
        name: 'On push',
        nodes: [{ name: 'greet', event: { id: events['second step'] } }],
      })
    ).json.id as number;
    await page.goto(`/workflows/${workflow}`);
    const section = page.locator('#webhooks');
    await section.getByText('No webhooks').waitFor();
    await section.getByRole('button', { name: 'Add webhook' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(label('Name')).fill('github');
    await dialog.getByRole('button', { name: 'Add webhook' }).click();
    const url = (await dialog.getByTestId('webhook-url').textContent())!.trim();
    const secret = (await dialog.getByTestId('webhook-secret').textContent())!.trim();
    expect(url).toMatch(new RegExp(`^${stack.base}/api/v1/hooks/[A-Za-z0-9_-]{24}$`));
    expect(secret).toMatch(/^crw_/);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await section.getByRole('table', { name: 'Webhooks' }).getByText(url).waitFor();
    await expect(page.getByText(secret).count()).resolves.toBe(0);
    const listed = (await stack.call('GET', `/api/v1/workflows/${workflow}/webhooks`, admin)).json;
    expect(listed).toEqual([
      expect.objectContaining({ name: 'github', url, workflowId: workflow, eventId: null }),
    ]);

    // A signed request starts a workflow run, listed on the page without a reload.
    const sent = await deliver(url, secret, { body: '{"ref": "main"}' });
    expect(sent.status).toBe(202);
    await page
      .getByRole('table', { name: 'Workflow runs' })
      .getByRole('link', { name: `#${sent.json.workflowRunId}` })
      .click();
    await page.waitForURL(new RegExp(`/workflow-runs/${sent.json.workflowRunId}$`));
    await page
      .getByTestId('workflow-run-status')
      .locator('[data-status="succeeded"]')
      .waitFor({ timeout: 30_000 });
    await page.getByText('webhook', { exact: true }).first().waitFor();

    // A new secret, the old one refused at once; then deleted, the URL answers 404.
    await page.goto(`/workflows/${workflow}`);
    await section.getByRole('button', { name: 'Rotate the secret of github' }).click();
    await page.getByRole('dialog').getByLabel('Keep accepting the old secret for').click();
    await page.getByRole('option', { name: 'Stop accepting it now' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = (await page.getByTestId('webhook-secret').textContent())!.trim();
    expect(rotated).not.toBe(secret);
    await page.getByRole('dialog').getByRole('button', { name: 'Done' }).click();
    expect((await deliver(url, secret)).status).toBe(401);
    expect((await deliver(url, rotated)).status).toBe(202);
    await section.getByRole('button', { name: 'Delete github' }).click();
    await page.getByText('Webhook github deleted').waitFor();
    await section.getByText('No webhooks').waitFor();
    expect((await deliver(url, rotated)).status).toBe(404);
  });
});
