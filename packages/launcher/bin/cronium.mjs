#!/usr/bin/env node
// The README's two commands land here: `npm start` (install, build, start everything) and
// `npm test` (install, build, run the whole suite). Plain JavaScript with no dependencies,
// because it runs before anything is installed; it needs only Node.js 22.12+ and npm. Once
// they are installed, `start` imports the processes' addresses from @cronium/service-kit.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmSpec = rootPackage.packageManager; // e.g. pnpm@10.34.8
const say = (message) => console.log(`[cronium] ${message}`);

function fail(message) {
  console.error(`[cronium] ${message}`);
  process.exit(1);
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 12)) {
    fail(
      `Node.js ${process.versions.node} is too old: Cronium needs Node.js 22.12 or newer (24 LTS recommended).`,
    );
  }
  const nativeTypeScript =
    major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
  return nativeTypeScript ? [] : ['--experimental-strip-types'];
}

/** pnpm from PATH when it is the pinned major, otherwise the pinned version through npx. */
function pnpmCommand() {
  const wanted = pnpmSpec.split('@')[1];
  const found = spawnSync('pnpm', ['--version'], {
    encoding: 'utf8',
    shell: process.platform === 'win32',
  });
  if (found.status === 0 && found.stdout.trim().split('.')[0] === wanted.split('.')[0])
    return ['pnpm', []];
  return ['npx', ['--yes', pnpmSpec]];
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0)
    fail(`${[command, ...args].join(' ')} failed (exit ${result.status ?? result.signal})`);
}

function pnpm(args, options) {
  const [command, prefix] = pnpmCommand();
  run(command, [...prefix, ...args], options);
}

function install() {
  say('installing dependencies (pnpm install --frozen-lockfile)');
  pnpm(['install', '--frozen-lockfile']);
}

function build() {
  say('building (turbo run build)');
  pnpm(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);
}

function pm2RuntimePath() {
  try {
    const pm2Package = createRequire(join(root, 'packages/launcher/package.json')).resolve(
      'pm2/package.json',
    );
    return join(dirname(pm2Package), 'bin/pm2-runtime');
  } catch {
    fail('pm2 is not installed: run without --no-install');
  }
}

/** Runs a child in the foreground, forwarding SIGINT/SIGTERM, and exits with its code. */
function foreground(command, args, env) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return child;
}

/** Resolves with what is pending when all answer 200, time is up, or `stop()` says so. */
async function waitUntilReady(urls, timeoutMs, stop = () => false) {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(urls);
  while (pending.size > 0 && Date.now() < deadline && !stop()) {
    for (const url of [...pending]) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
        if (response.status === 200) pending.delete(url);
      } catch {
        // not up yet
      }
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 500));
  }
  return [...pending];
}

async function start(flags) {
  const stripFlags = checkNode();
  if (!flags.has('--no-install')) install();
  if (!flags.has('--no-build')) build();
  const dataDir = resolve(root, process.env.CRONIUM_DATA_DIR || 'data');
  const env = {
    ...process.env,
    CRONIUM_DATA_DIR: dataDir,
    PM2_HOME: process.env.PM2_HOME || join(dataDir, 'pm2'),
  };
  const pm2Runtime = pm2RuntimePath();
  // The processes' variables and default ports, as their configuration schemas read them;
  // imported only now, once the dependencies are installed.
  const { SERVICE_ADDRESSES, localServiceUrl, readyUrls } =
    await import('@cronium/service-kit/service-addresses');
  const web = localServiceUrl(SERVICE_ADDRESSES.web, process.env);
  say(
    `starting web, orchestrator, runtime-api and ws under pm2${process.env.DATABASE_URL ? '' : ' with the embedded PostgreSQL'}`,
  );
  say(`data directory: ${dataDir}`);
  // A process that cannot start (bad configuration, a database that cannot run) writes why
  // to this file (service-kit's reportStartupFailure) instead of being restarted forever.
  const failureDir = mkdtempSync(join(tmpdir(), 'cronium-start-'));
  const failureFile = join(failureDir, 'failures');
  process.on('exit', () => rmSync(failureDir, { recursive: true, force: true }));
  env.CRONIUM_STARTUP_FAILURE_FILE = failureFile;
  // --no-auto-exit: pm2-runtime's own watchdog would otherwise end everything 6 s after no
  // process is `online`, which is also the case while they drain on Ctrl-C or SIGTERM: it
  // would cut the orchestrator's grace for running scripts short. Failures that should end
  // the start are reported through the failure file below instead.
  const pm2 = foreground(
    process.execPath,
    [...stripFlags, pm2Runtime, 'start', '--no-auto-exit', join(root, 'ecosystem.config.cjs')],
    env,
  );
  const notReady = await waitUntilReady(readyUrls(process.env), 120_000, () =>
    existsSync(failureFile),
  );
  if (existsSync(failureFile)) {
    // Let every process that is failing have its say, then stop the rest.
    await new Promise((r) => setTimeout(r, 1000));
    console.error(
      `\n[cronium] Cronium cannot start:\n${readFileSync(failureFile, 'utf8').trimEnd()}\n`,
    );
    pm2.removeAllListeners('exit');
    pm2.once('exit', () => process.exit(1));
    pm2.kill('SIGINT');
    return;
  }
  if (notReady.length > 0)
    say(`still not ready after 120 s: ${notReady.join(', ')} (see the logs above)`);
  else say(`Cronium is running. Open ${web} (Ctrl-C stops everything)`);
}

function test(flags) {
  const stripFlags = checkNode();
  if (!flags.has('--no-install')) install();
  if (!flags.has('--no-build')) build();
  foreground(
    process.execPath,
    [
      ...stripFlags,
      join(root, 'packages/launcher/src/run-tests.ts'),
      ...process.argv.slice(3).filter((a) => !a.startsWith('--no-')),
    ],
    process.env,
  );
}

/** `keys status|reencrypt`: the master key rotation's command, on the same data directory as `start`. */
function keys(args) {
  const stripFlags = checkNode();
  foreground(
    process.execPath,
    [...stripFlags, join(root, 'packages/service-kit/src/keys-cli.ts'), ...args],
    { ...process.env, CRONIUM_DATA_DIR: resolve(root, process.env.CRONIUM_DATA_DIR || 'data') },
  );
}

const [command, ...rest] = process.argv.slice(2);
const flags = new Set(rest.filter((a) => a.startsWith('--no-')));
switch (command) {
  case 'start':
    await start(flags);
    break;
  case 'test':
    test(flags);
    break;
  case 'keys':
    keys(rest);
    break;
  default:
    fail(
      `usage: cronium.mjs start|test [--no-install] [--no-build], or cronium.mjs keys status|reencrypt  (got ${command ?? 'nothing'})`,
    );
}
