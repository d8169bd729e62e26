// A workflow's tool node ("Send a message") in the UI, end to end in a real Chromium against
// the real stack (web, ws, runtime API, orchestrator with the local executor, PostgreSQL): added
// through "Add node" with the event editor's fields, a refused template shown at its field,
// saved, kept through a reload and an edit (with a param only the API sets), then run against a
// loopback webhook receiver and followed in the live run view until it succeeded; then run
// again with the receiver failing a try and holding the next, the view following each change
// as it is pushed (not at its 30 s safety poll).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { TEST_PASSWORD, startApiStack, type ApiStack } from '../api/testing/api-stack.ts';
import {
  describeInBrowser,
  label,
  launchChromium,
  openContext,
  screenshotPath,
  seriousViolations,
  signInThroughUi,
} from './testing/browser.ts';

const ADMIN = 'ada@example.com';

describeInBrowser('a workflow’s tool node in the UI', () => {
  jest.setTimeout(120_000);
  let stack: ApiStack;
  let browser: Browser;
  let page: Page;
  let admin: string;
  let sink: Server;
  const bodies: string[] = [];
  /** How the receiver answers the next requests (then 200 at once). */
  const plan: ('fail' | 'hold')[] = [];
  /** The held request's answer, and when it arrived. */
  let held: { at: number; answer: () => void } | undefined;
  let credentialId: number;
  let workflowId: number;

  beforeAll(async () => {
    sink = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        bodies.push(body);
        const how = plan.shift();
        if (how === 'fail') response.writeHead(503).end('busy');
        else if (how === 'hold')
          held = { at: Date.now(), answer: () => response.writeHead(200).end('received') };
        else response.writeHead(200).end('received');
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
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
    const extract = await stack.call('POST', '/api/v1/events', admin, {
      name: 'extract step',
      type: 'bash',
      targetKind: 'local',
      script: 'cronium_set_output \'{"rows": 42}\'\n',
    });
    expect(extract.status).toBe(201);
    // An admin's egress policy reaches loopback, where the receiver listens.
    const credential = await stack.call('POST', '/api/v1/tools/credentials', admin, {
      kind: 'webhook',
      name: 'sink',
      config: {
        url: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`,
        method: 'POST',
      },
    });
    expect(credential.status).toBe(201);
    credentialId = credential.json.id;
    ({ page } = await openContext(browser, stack.base));
    page.on('pageerror', (error) => console.error(`page error: ${error.message}\n${error.stack}`));
    await signInThroughUi(page, ADMIN, TEST_PASSWORD);
  }, 180_000);
  afterEach(async () => {
    const name = (expect.getState().currentTestName ?? 'test').replace(/[^a-z0-9]+/gi, '-');
    await page
      ?.screenshot({ path: screenshotPath(`workflow-tool-${name}`), fullPage: true })
      .catch(() => undefined);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await new Promise((resolve) => sink?.close(resolve));
  });

  const node = (name: string) => page.getByTestId(`wf-node-${name}`);
  const panel = () => page.getByTestId('node-panel');
  const body = (tag: string) =>
    `{"tag": "${tag}", "rows": {{ input.extract_step.rows }}, "run": {{ workflow.runId }}}`;

  it('adds a message node, shows a refused template at its field, saves it and keeps it', async () => {
    await page.goto('/workflows/new');
    await page.getByRole('heading', { name: 'New workflow' }).waitFor();
    await page.getByLabel(label('Name')).first().fill('Notify chain');

    // An event node, from the event picker.
    await page.getByRole('button', { name: 'Add node', exact: true }).first().click();
    let dialog = page.getByRole('dialog', { name: 'Add a node' });
    await dialog
      .locator('input')
      .and(dialog.getByLabel(label('Event')))
      .fill('extract step');
    await page.getByRole('option', { name: 'extract step', exact: true }).click();
    await dialog.getByRole('button', { name: 'Add node' }).click();
    await dialog.waitFor({ state: 'detached' });

    // A message node: the credential, then its kind's fields; the name follows the credential.
    await page.getByRole('button', { name: 'Add node', exact: true }).first().click();
    dialog = page.getByRole('dialog', { name: 'Add a node' });
    await dialog.locator('label', { hasText: /^Send a message$/ }).click();
    await expect(dialog.getByRole('button', { name: 'Add node' }).isDisabled()).resolves.toBe(true);
    await dialog
      .locator('input')
      .and(dialog.getByLabel(label('Credential')))
      .click();
    await page.getByRole('option', { name: 'sink (webhook)' }).click();
    await expect(dialog.getByLabel(label('Node name')).inputValue()).resolves.toBe('sink');
    await dialog.getByLabel(label('Node name')).fill('notify');
    // A template that does not parse: the API refuses it at its field.
    await dialog.getByLabel(label('Body')).fill('{"rows": {{ input.extract_step.rows }');
    await page.screenshot({ path: screenshotPath('workflow-tool-add-node') });
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Add node' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect(node('notify').getAttribute('data-kind')).resolves.toBe('tool');
    await node('notify').getByText('webhook: sink').waitFor();

    await node('extract_step').click();
    await panel().locator('input').and(panel().getByLabel('Connect to')).click();
    await page.getByRole('option', { name: 'notify' }).click();
    await panel().getByRole('button', { name: 'Connect' }).click();
    await page.getByTestId('edge-panel').getByLabel('on success').check();

    const created = page.waitForResponse(
      (r) => r.url().endsWith('/api/v1/workflows') && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: 'Create workflow' }).click();
    expect((await created).status()).toBe(422);
    await page.getByTestId('save-problems').getByRole('button', { name: 'Node notify' }).waitFor();
    // The node's panel opened on the message node, the problem at the Body field.
    await panel().getByRole('heading', { name: 'Node notify' }).waitFor();
    const field = panel().getByLabel(label('Body'));
    await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
    await panel()
      .getByText(/line 1, column/)
      .waitFor();
    await page.screenshot({ path: screenshotPath('workflow-tool-refused'), fullPage: true });

    await field.fill(body('ui-1'));
    await page.getByRole('button', { name: 'Create workflow' }).click();
    await page.waitForURL(/\/workflows\/\d+$/);
    workflowId = Number(/\/workflows\/(\d+)$/.exec(page.url())![1]);
    const saved = (await stack.call('GET', `/api/v1/workflows/${workflowId}`, admin)).json;
    expect(saved.nodes[1]).toMatchObject({
      name: 'notify',
      tool: { credentialId, params: { body: body('ui-1') } },
    });
    expect(saved.nodes[1].event).toBeUndefined();
    expect(saved.edges).toEqual([{ from: 'extract_step', to: 'notify', on: 'success' }]);
    // The workflow page draws it read-only, named by its credential.
    await node('notify').getByText('webhook: sink').waitFor();

    // A param the form has no field for, set through the API, survives an edit in the UI.
    const patched = await stack.call('PATCH', `/api/v1/workflows/${workflowId}`, admin, {
      nodes: saved.nodes.map(({ id: _id, ...n }: { id: number }) =>
        (n as { name: string }).name === 'notify'
          ? {
              ...n,
              tool: { credentialId, params: { body: body('ui-1'), contentType: 'text/plain' } },
            }
          : n,
      ),
    });
    expect(patched.status).toBe(200);
    await page.goto(`/workflows/${workflowId}/edit`);
    await node('notify').getByText('webhook: sink').waitFor();
    // With nothing selected, the panel lists the nodes with what each does.
    await page.screenshot({ path: screenshotPath('workflow-tool-overview') });
    await page.getByRole('button', { name: 'notify webhook: sink' }).click();
    await expect(panel().getByLabel(label('Body')).inputValue()).resolves.toBe(body('ui-1'));
    await panel().getByText('contentType').waitFor();
    await panel().getByLabel(label('Body')).fill(body('ui-2'));
    await page.screenshot({ path: screenshotPath('workflow-tool-panel'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(/\/workflows\/\d+$/);
    const edited = (await stack.call('GET', `/api/v1/workflows/${workflowId}`, admin)).json;
    expect(edited.nodes[1].tool).toEqual({
      credentialId,
      params: { body: body('ui-2'), contentType: 'text/plain' },
    });
  });

  it('runs it and follows the message node until it succeeded, with its tries and output', async () => {
    await page.goto(`/workflows/${workflowId}`);
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL(/\/workflow-runs\/\d+$/);
    const runId = Number(/(\d+)$/.exec(page.url())![1]);
    await page
      .getByTestId('workflow-run-status')
      .locator('[data-status="succeeded"]')
      .waitFor({ timeout: 30_000 });
    await node('notify').and(page.locator('[data-state="succeeded"]')).waitFor();
    await node('notify').getByText('webhook: sink').waitFor();

    await node('notify').click();
    const details = page.getByTestId('node-details');
    await details.getByRole('heading', { name: 'Node notify' }).waitFor();
    await expect(details.getAttribute('data-kind')).resolves.toBe('tool');
    await details.getByTestId('node-state').locator('[data-status="succeeded"]').waitFor();
    await expect(details.getByTestId('node-tries').textContent()).resolves.toBe('1');
    await details.getByRole('link', { name: 'webhook: sink' }).waitFor();
    await details.getByText('"rows": 42').waitFor();
    await details.getByText('"kind": "webhook"').waitFor();
    await details.getByText('"status": 200').waitFor();
    // No run, so no log and no link to one.
    await expect(details.getByRole('link', { name: /Open run/ }).count()).resolves.toBe(0);
    await expect(details.getByTestId('run-log').count()).resolves.toBe(0);
    await page.screenshot({ path: screenshotPath('workflow-tool-run'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    // Sent once, filled from the node's input and its workflow run.
    const sent = bodies.filter((b) => b.includes('ui-2')).map((b) => JSON.parse(b));
    expect(sent).toEqual([{ tag: 'ui-2', rows: 42, run: runId }]);
    expect(bodies.filter((b) => b.includes('ui-1'))).toEqual([]);
  });

  it('follows a message node as it is sent, retried and answered, pushed as each happens', async () => {
    // Far below the run view's 30 s safety poll: only a push can show a change this soon.
    const PUSHED_WITHIN_MS = 3_000;
    plan.push('fail', 'hold');
    held = undefined;
    await page.goto(`/workflows/${workflowId}`);
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL(/\/workflow-runs\/\d+$/);

    // The first try got a 503; the second (2 s later) is claimed and held by the receiver.
    const deadline = Date.now() + 30_000;
    while (!held && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(held).toBeDefined();
    await node('notify')
      .getByText('sending · try 2')
      .waitFor({ timeout: Math.max(1, held!.at + PUSHED_WITHIN_MS - Date.now()) });

    const answeredAt = Date.now();
    held!.answer();
    const within = () => Math.max(1, answeredAt + PUSHED_WITHIN_MS - Date.now());
    await node('notify')
      .and(page.locator('[data-state="succeeded"]'))
      .waitFor({ timeout: within() });
    await node('notify').getByText('succeeded · 2 tries').waitFor({ timeout: within() });
    await page
      .getByTestId('workflow-run-status')
      .locator('[data-status="succeeded"]')
      .waitFor({ timeout: within() });
  });
});
