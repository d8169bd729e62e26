import { checkDatabase } from '@cronium/db';
import { webDeps } from '../server/web-deps.ts';

export const dynamic = 'force-dynamic';

/**
 * The start page, which anyone who reaches the web port sees: the version and whether the
 * database is there, nothing more (no counts: they would tell a stranger about the
 * installation, and cost a scan of the runs table on every hit; no driver messages).
 */
export default async function StartPage() {
  const { db, version } = webDeps();
  const healthy = (await checkDatabase(db)).status === 'healthy';
  return (
    <main>
      <h1>Cronium</h1>
      <p className="muted">Schedule and run scripts, HTTP requests and tool actions.</p>
      <section className="card">
        <dl>
          <dt>Version</dt>
          <dd>{version}</dd>
          <dt>Database</dt>
          <dd className={healthy ? 'ok' : 'bad'}>
            {healthy ? 'connected, schema up to date' : 'not available (see the web log)'}
          </dd>
        </dl>
      </section>
      <section className="card">
        <p>
          Process health: <a href="/health">/health</a> · readiness: <a href="/ready">/ready</a> ·
          API: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>
        </p>
      </section>
    </main>
  );
}
