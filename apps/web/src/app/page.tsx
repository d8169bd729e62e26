import { sql } from 'kysely';
import { checkDatabase } from '@cronium/db';
import { webDeps } from '../server/web-deps.ts';

export const dynamic = 'force-dynamic';

async function loadStatus() {
  const { db, version } = webDeps();
  const database = await checkDatabase(db);
  if (database.status !== 'healthy') return { version, database, counts: undefined };
  const row = await sql<{ users: number; events: number; runs: number }>`
    SELECT (SELECT count(*) FROM users)::int AS users,
           (SELECT count(*) FROM events)::int AS events,
           (SELECT count(*) FROM runs)::int AS runs`.execute(db);
  return { version, database, counts: row.rows[0] };
}

export default async function StartPage() {
  const status = await loadStatus();
  const healthy = status.database.status === 'healthy';
  return (
    <main>
      <h1>Cronium</h1>
      <p className="muted">Schedule and run scripts, HTTP requests and tool actions.</p>
      <section className="card">
        <dl>
          <dt>Version</dt>
          <dd>{status.version}</dd>
          <dt>Database</dt>
          <dd className={healthy ? 'ok' : 'bad'}>
            {healthy
              ? 'connected, schema up to date'
              : (status.database.message ?? status.database.status)}
          </dd>
          {status.counts && (
            <>
              <dt>Users</dt>
              <dd>{status.counts.users}</dd>
              <dt>Events</dt>
              <dd>{status.counts.events}</dd>
              <dt>Runs</dt>
              <dd>{status.counts.runs}</dd>
            </>
          )}
        </dl>
      </section>
      <section className="card">
        <p>
          Process health: <a href="/health">/health</a> · readiness: <a href="/ready">/ready</a>
        </p>
        <p className="muted">
          Accounts, events and the REST API arrive in the next milestones; this page shows the live
          state of this installation.
        </p>
      </section>
    </main>
  );
}
