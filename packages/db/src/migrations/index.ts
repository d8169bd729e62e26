import type { Migration } from 'kysely/migration';
import * as m0001 from './0001-initial-schema.ts';
import * as m0002 from './0002-run-engine.ts';
import * as m0003 from './0003-event-secret-env-keys.ts';
import * as m0004 from './0004-owner-fair-claim.ts';
import * as m0005 from './0005-limited-events-index.ts';
import * as m0006 from './0006-teams-tool-credentials.ts';
import * as m0007 from './0007-event-actions.ts';
import * as m0008 from './0008-event-trigger-actions.ts';
import * as m0009 from './0009-workflow-engine.ts';
import * as m0010 from './0010-webhook-triggers.ts';
import * as m0011 from './0011-workflow-schedules.ts';
import * as m0012 from './0012-workflow-run-idempotency.ts';
import * as m0013 from './0013-workflow-tool-nodes.ts';
import * as m0014 from './0014-scheduled-runs.ts';

/** Every migration, in order. Names are permanent: they are recorded in kysely_migration. */
export const migrations: Record<string, Migration> = {
  '0001-initial-schema': m0001,
  '0002-run-engine': m0002,
  '0003-event-secret-env-keys': m0003,
  '0004-owner-fair-claim': m0004,
  '0005-limited-events-index': m0005,
  '0006-teams-tool-credentials': m0006,
  '0007-event-actions': m0007,
  '0008-event-trigger-actions': m0008,
  '0009-workflow-engine': m0009,
  '0010-webhook-triggers': m0010,
  '0011-workflow-schedules': m0011,
  '0012-workflow-run-idempotency': m0012,
  '0013-workflow-tool-nodes': m0013,
  '0014-scheduled-runs': m0014,
};
