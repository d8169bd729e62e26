// The monitoring files against the real processes: the four apps are started on a test
// database with a metrics token, one scheduled event runs (so the run histograms and
// counters have samples), and every metric, label matcher and grouping label that a panel of
// the Grafana dashboard reads must be in what /metrics serves. Prometheus's scrape targets
// must be the processes' default ports, reached the way docker-compose.monitoring.yml says.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { triggerRun } from '@cronium/run-queue';
import {
  freePort,
  spawnService,
  waitForStatus,
  type ServiceProcess,
} from '@cronium/service-kit/testing';
// The default ports the Prometheus config must use, as the apps' configuration schemas take them.
import { SERVICE_ADDRESSES } from '@cronium/service-kit/service-addresses';
import { parsePrometheusText, type PrometheusExposition } from './parse-prometheus-text.ts';
import { promqlReferences } from './promql-references.ts';

const root = resolve(__dirname, '../../..');
const monitoring = join(root, 'docker/monitoring');
const readYaml = (path: string) => parseYaml(readFileSync(path, 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- config files of any shape

interface Panel {
  title: string;
  type: string;
  datasource?: { uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
}
const dashboard = JSON.parse(
  readFileSync(join(monitoring, 'grafana/dashboards/cronium.json'), 'utf8'),
) as { panels: Panel[] };
const prometheus = readYaml(join(monitoring, 'prometheus.yml'));
const scrapeJob = prometheus.scrape_configs[0] as {
  job_name: string;
  authorization: { type: string; credentials_file: string };
  static_configs: { targets: string[]; labels: Record<string, string> }[];
};
/** Labels Prometheus adds to every series of a target: job, instance and the static ones. */
const targetLabels = new Set([
  'job',
  'instance',
  ...scrapeJob.static_configs.flatMap((c) => Object.keys(c.labels)),
]);
const PROCESSES = ['web', 'orchestrator', 'runtime-api', 'ws'] as const;

describe('the monitoring files, checked against the real processes', () => {
  jest.setTimeout(180_000);
  let t: TestDatabase;
  let dataDir: string;
  const procs: ServiceProcess[] = [];
  const ports = {} as Record<(typeof PROCESSES)[number], number>;
  const token = randomBytes(24).toString('hex');
  const scraped = new Map<string, PrometheusExposition>();

  beforeAll(async () => {
    t = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'cronium-monitoring-'));
    for (const name of PROCESSES) ports[name] = await freePort();
    const env = {
      DATABASE_URL: t.url,
      CRONIUM_DATA_DIR: dataDir,
      CRONIUM_ENCRYPTION_KEY: 'ab'.repeat(32),
      CRONIUM_JWT_SECRET: 'j'.repeat(40),
      CRONIUM_METRICS_TOKEN: token,
      LOG_LEVEL: 'warn',
    };
    const runtimeApi = `http://127.0.0.1:${ports['runtime-api']}`;
    const start: Record<(typeof PROCESSES)[number], [string, Record<string, string>]> = {
      web: ['apps/web/src/main.ts', { WEB_PORT: String(ports.web) }],
      'runtime-api': [
        'apps/runtime-api/src/main.ts',
        { RUNTIME_API_PORT: String(ports['runtime-api']), RUNTIME_API_SOCKET: 'off' },
      ],
      orchestrator: [
        'apps/orchestrator/src/main.ts',
        {
          ORCHESTRATOR_PORT: String(ports.orchestrator),
          ORCHESTRATOR_CONTAINERS: 'off',
          ORCHESTRATOR_POLL_MS: '200',
          RUNTIME_API_URL: runtimeApi,
          RUNTIME_API_SOCKET: 'off',
          // As root, the owner's scripts run as a uid of their own, from a range of this test's.
          ORCHESTRATOR_LOCAL_UID_BASE: String(
            1_900_000_000 + Math.floor(Math.random() * 90_000) * 1_000,
          ),
        },
      ],
      ws: ['apps/ws/src/main.ts', { WS_PORT: String(ports.ws) }],
    };
    for (const name of PROCESSES) {
      const [entry, own] = start[name];
      procs.push(spawnService(join(root, entry), { ...env, ...own }));
    }
    await Promise.all(
      PROCESSES.map((name, i) =>
        waitForStatus(`http://127.0.0.1:${ports[name]}/ready`, 200, {
          process: procs[i]!,
          timeoutMs: 90_000,
        }),
      ),
    );

    // One scheduled run that writes to both streams: samples for the run histograms
    // (attempt duration, queue wait, schedule fire latency) and the log counter.
    const admin = await insertTestUser(t.db, { role: 'admin' });
    const eventId = await insertTestEvent(t.db, admin, {
      type: 'bash',
      script: 'echo to stdout; echo to stderr >&2',
    });
    const now = new Date();
    const run = await triggerRun(t.db, eventId, {
      trigger: 'schedule',
      scheduledFor: now,
      runAt: now,
    });
    if (run.outcome !== 'enqueued') throw new Error('not enqueued');
    await waitForFinalStatus(t, run.runId);

    for (const name of PROCESSES) {
      const response = await fetch(`http://127.0.0.1:${ports[name]}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.status !== 200) throw new Error(`${name} /metrics: HTTP ${response.status}`);
      scraped.set(name, parsePrometheusText(await response.text()));
    }
  });

  afterAll(async () => {
    for (const proc of procs.reverse()) await proc.stop(10_000);
    await t?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('uses only metrics and labels that /metrics of the four processes serves', () => {
    const samples = new Map<string, Record<string, string>[]>();
    const types = new Map<string, string>();
    for (const exposition of scraped.values()) {
      for (const s of exposition.samples)
        samples.set(s.name, [...(samples.get(s.name) ?? []), s.labels]);
      for (const [family, type] of exposition.types) types.set(family, type);
    }
    const problems: string[] = [];
    let expressions = 0;
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({
        panel: panel.title,
        uid: 'prometheus',
      });
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const { expr } of panel.targets ?? []) {
        expressions += 1;
        const where = `${panel.title}: ${expr}`;
        const { selectors, groupingLabels } = promqlReferences(expr);
        if (selectors.length === 0) problems.push(`${where}: reads no metric`);
        const labelsSeen = new Set<string>(targetLabels);
        for (const { metric, matchers } of selectors) {
          if (metric === 'up') {
            // Prometheus's own series per target: only the target labels exist on it.
            for (const m of matchers)
              if (!(m.label === 'job' && m.value === scrapeJob.job_name))
                problems.push(`${where}: up{${m.label}="${m.value}"} matches no scrape target`);
            continue;
          }
          const served = samples.get(metric);
          if (!served) {
            problems.push(`${where}: ${metric} is not served (or has no samples)`);
            continue;
          }
          const suffix = /_(bucket|sum|count)$/.exec(metric);
          const family = suffix ? metric.slice(0, suffix.index) : metric;
          const type = types.get(family);
          if (suffix ? !['histogram', 'summary'].includes(type ?? '') : type === undefined)
            problems.push(`${where}: ${family} is declared as ${type ?? 'nothing'}`);
          for (const labels of served)
            for (const label of Object.keys(labels)) labelsSeen.add(label);
          for (const m of matchers)
            if (
              m.op === '=' &&
              !targetLabels.has(m.label) &&
              !served.some((labels) => labels[m.label] === m.value)
            )
              problems.push(`${where}: no ${metric} sample has ${m.label}="${m.value}"`);
        }
        for (const label of groupingLabels)
          if (!labelsSeen.has(label)) problems.push(`${where}: no series has the label ${label}`);
      }
    }
    expect(expressions).toBeGreaterThanOrEqual(10);
    expect(problems).toEqual([]);
  });

  it('has Prometheus scrape the four processes at their default ports, with the token', async () => {
    const targets = Object.fromEntries(
      scrapeJob.static_configs.flatMap((c) =>
        c.targets.map((target) => [c.labels.process, target]),
      ),
    );
    expect(targets).toEqual({
      web: `127.0.0.1:${SERVICE_ADDRESSES.web.defaultPort}`,
      orchestrator: `127.0.0.1:${SERVICE_ADDRESSES.orchestrator.defaultPort}`,
      'runtime-api': `127.0.0.1:${SERVICE_ADDRESSES.runtimeApi.defaultPort}`,
      ws: `127.0.0.1:${SERVICE_ADDRESSES.ws.defaultPort}`,
    });
    // Loopback addresses are right only because Prometheus shares the cronium container's
    // network namespace; the token file is the one its entrypoint writes.
    const compose = readYaml(join(root, 'docker-compose.monitoring.yml'));
    expect(compose.services.prometheus.network_mode).toBe('service:cronium');
    expect(scrapeJob.authorization.type).toBe('Bearer');
    expect(compose.services.prometheus.entrypoint.join(' ')).toContain(
      `> ${scrapeJob.authorization.credentials_file}`,
    );
    // Grafana's data source is that Prometheus, under the uid the panels name.
    const sources = readYaml(join(monitoring, 'grafana/provisioning/datasources/prometheus.yml'));
    expect(sources.datasources).toEqual([
      expect.objectContaining({
        uid: 'prometheus',
        type: 'prometheus',
        url: 'http://cronium:9090',
      }),
    ]);
    // With the token set, a scraper without it is refused even on loopback.
    for (const name of PROCESSES)
      expect((await fetch(`http://127.0.0.1:${ports[name]}/metrics`)).status).toBe(401);
  });
});

async function waitForFinalStatus(t: TestDatabase, runId: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { status } = await t.db
      .selectFrom('runs')
      .select('status')
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    if (status === 'succeeded') return;
    if (!['queued', 'running'].includes(status) || Date.now() > deadline)
      throw new Error(`run ${runId} is ${status}, expected it to succeed`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
