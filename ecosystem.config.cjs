// pm2 process file: the four Cronium apps (plus the embedded PostgreSQL when DATABASE_URL is
// unset), each its own process. Started by `npm start` through pm2-runtime, and by the
// Docker image under tini. Environment variables are read here only to decide what to run;
// each app validates its own configuration.
const path = require('node:path');

const root = __dirname;
const dataDir = path.resolve(root, process.env.CRONIUM_DATA_DIR || 'data');
const embedded = !(process.env.DATABASE_URL || '').trim();

// Node 22.18+ and 23.6+ run TypeScript by stripping types; 22.12-22.17 need the flag.
const [major, minor] = process.versions.node.split('.').map(Number);
const nativeTypeScript =
  major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
const nodeArgs = nativeTypeScript ? [] : ['--experimental-strip-types'];

const common = {
  cwd: root,
  interpreter: process.execPath,
  node_args: nodeArgs,
  exec_mode: 'fork',
  instances: 1,
  autorestart: true,
  // A crash loop backs off instead of spinning; exit code 78 is a configuration error,
  // which a restart cannot fix.
  exp_backoff_restart_delay: 200,
  max_restarts: 20,
  min_uptime: 10_000,
  stop_exit_codes: [78],
  merge_logs: true,
  // pm2-runtime already streams every app's output to its own stdout (the container log);
  // copies under PM2_HOME would only grow without bound.
  out_file: '/dev/null',
  error_file: '/dev/null',
  env: { CRONIUM_DATA_DIR: dataDir },
};

// kill_timeout is above each app's own graceful shutdown (grace + 10 s force) so pm2 never
// SIGKILLs a process that is still draining.
const apps = [
  { name: 'cronium-web', script: 'apps/web/src/main.ts', kill_timeout: 25_000 },
  // The orchestrator alone decides what happens to the scripts it runs (finish within the
  // grace, then hand them back to the queue): pm2 must not signal them directly (no tree
  // kill). Its kill timeout is above grace + kill grace + the force margin.
  {
    name: 'cronium-orchestrator',
    script: 'apps/orchestrator/src/main.ts',
    kill_timeout: 70_000,
    treekill: false,
  },
  { name: 'cronium-runtime-api', script: 'apps/runtime-api/src/main.ts', kill_timeout: 25_000 },
  { name: 'cronium-ws', script: 'apps/ws/src/main.ts', kill_timeout: 25_000 },
];

if (embedded) {
  apps.unshift({
    name: 'cronium-postgres',
    script: 'packages/launcher/src/postgres-main.ts',
    kill_timeout: 35_000,
  });
}

module.exports = { apps: apps.map((app) => ({ ...common, ...app })) };
