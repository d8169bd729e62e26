// The process launcher's helper: a small process that starts script processes for the
// orchestrator, so that the fork behind each start copies this small process rather than the
// orchestrator (fork time grows with the forking process's memory). Plain JavaScript that
// imports only node:child_process, to stay as small as Node allows.
//
// Messages in (over the IPC channel, advanced serialization):
//   { t: 'launch', id, file, args, workDir, env, user?, switchUser? }   { t: 'abandon', id }
// (workDir: the plan of the process's private directory, made before it starts and removed
// after it has closed; see work-dir.mjs. user: the uid/gid the script runs as, which owns the
// directory; switchUser: whether this helper switches to it, or the command does (bubblewrap);
// see script-users.mjs for the cleanup after a user's scripts.)
// The helper is started with an empty environment: a script's environment is only what the
// orchestrator sends with each launch.
// Messages out:
//   { t: 'started', id, pid }   { t: 'failed', id, message }
//   { t: 'out', id, fd: 1 | 2, data: Buffer }
//   { t: 'exit', id, code, signal }   { t: 'close', id, code, signal }
// When the orchestrator goes away (the channel disconnects), every process group this helper
// started is killed, their directories removed, and the helper exits: nothing of a script
// outlives its orchestrator.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { ScriptUsers } from './script-users.mjs';
import { makeWorkDir, removeWorkDir } from './work-dir.mjs';

/** Unsent messages past which output is paused, until the orchestrator has taken them. */
const HIGH_WATER = 64;
const children = new Map();
const users = new ScriptUsers();
let pending = 0;

function send(message) {
  pending += 1;
  process.send(message, undefined, undefined, () => {
    pending -= 1;
    if (pending === HIGH_WATER / 2)
      for (const child of children.values()) {
        child.stdout?.resume();
        child.stderr?.resume();
      }
  });
  if (pending >= HIGH_WATER)
    for (const child of children.values()) {
      child.stdout?.pause();
      child.stderr?.pause();
    }
}

async function launch({ id, file, args, workDir, env, user, switchUser }) {
  const cwd = workDir.path;
  if (user) await users.begin(user);
  const finish = () => (user ? users.end(user, cwd) : removeWorkDir(cwd));
  try {
    await makeWorkDir(workDir, user);
  } catch (error) {
    await finish();
    send({ t: 'failed', id, message: error.message });
    return;
  }
  const child = spawn(file, args, {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(user && switchUser ? { uid: user.uid, gid: user.gid } : {}),
  });
  child.workDir = cwd;
  child.once('error', (error) => {
    if (child.pid === undefined)
      void finish().then(() => send({ t: 'failed', id, message: error.message }));
  });
  child.once('spawn', () => {
    children.set(id, child);
    send({ t: 'started', id, pid: child.pid });
    child.stdout.on('data', (data) => send({ t: 'out', id, fd: 1, data }));
    child.stderr.on('data', (data) => send({ t: 'out', id, fd: 2, data }));
    child.once('exit', (code, signal) => send({ t: 'exit', id, code, signal }));
    child.once('close', async (code, signal) => {
      await finish();
      children.delete(id);
      send({ t: 'close', id, code, signal });
    });
  });
}

process.on('message', (message) => {
  if (message.t === 'launch') void launch(message);
  else if (message.t === 'abandon') {
    const child = children.get(message.id);
    child?.stdout.destroy();
    child?.stderr.destroy();
  }
});

process.on('disconnect', () => {
  for (const child of children.values()) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const removeSync = (dir) => rmSync(dir, { recursive: true, force: true });
  users.endAllSync(removeSync);
  for (const child of children.values()) removeSync(child.workDir);
  process.exit(0);
});
