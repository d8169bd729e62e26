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

// V8 sizes its young generation (up to 32 MB per semi-space) and its helper threads for big
// hosts; these processes keep little short-lived data, and a smaller young generation also
// makes each fork of the orchestrator (one per local run) cheaper. Measured with
// bench/src/api-burst.ts: the stack idles at about 30 % less resident memory.
const v8Args = (semiSpaceMb) => [`--max-semi-space-size=${semiSpaceMb}`, '--v8-pool-size=2'];

// Node.js strips TypeScript with a WebAssembly compiler that stays in memory (about 12 MB per
// process); with a compile cache, restarts load unchanged modules from the cache and never
// load it. Under node_modules, not the data directory: it belongs to this checkout's code.
const compileCache = path.join(root, 'node_modules/.cache/cronium-node-compile');

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
  env: { CRONIUM_DATA_DIR: dataDir, NODE_COMPILE_CACHE: compileCache },
};

// kill_timeout is above each app's own graceful shutdown (grace + 10 s force) so pm2 never
// SIGKILLs a process that is still draining.
const apps = [
  {
    name: 'cronium-web',
    script: 'apps/web/src/main.ts',
    kill_timeout: 25_000,
    node_args: [...nodeArgs, ...v8Args(4)],
  },
  // The orchestrator alone decides what happens to the scripts it runs (finish within the
  // grace, then hand them back to the queue): pm2 must not signal them directly (no tree
  // kill). Its kill timeout is above grace + kill grace + the force margin.
  {
    name: 'cronium-orchestrator',
    script: 'apps/orchestrator/src/main.ts',
    kill_timeout: 70_000,
    treekill: false,
    node_args: [...nodeArgs, ...v8Args(2)],
  },
  {
    name: 'cronium-runtime-api',
    script: 'apps/runtime-api/src/main.ts',
    kill_timeout: 25_000,
    node_args: [...nodeArgs, ...v8Args(2)],
  },
  {
    name: 'cronium-ws',
    script: 'apps/ws/src/main.ts',
    kill_timeout: 25_000,
    node_args: [...nodeArgs, ...v8Args(2)],
  },
];

if (embedded) {
  apps.unshift({
    name: 'cronium-postgres',
    script: 'packages/launcher/src/postgres-main.ts',
    kill_timeout: 35_000,
    node_args: [...nodeArgs, ...v8Args(1)],
  });
}

module.exports = { apps: apps.map((app) => ({ ...common, ...app })) };
