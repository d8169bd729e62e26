import { randomBytes } from 'node:crypto';

/** Where per-run directories live, relative to the login's home directory. */
export const REMOTE_RUNS_DIR = '.cronium/runs';

export const REMOTE_INTERPRETERS = { bash: 'bash', python: 'python3', node: 'node' } as const;
export const REMOTE_SCRIPT_FILES = { bash: 'script.sh', python: 'script.py', node: 'script.js' };

/** A fresh per-attempt directory name: `r<run>a<attempt>-<random>`. */
export function remoteRunDir(runId: number, attempt: number): string {
  return `${REMOTE_RUNS_DIR}/r${runId}a${attempt}-${randomBytes(6).toString('hex')}`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Single-quotes a value for POSIX sh. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * The environment as a file of `export NAME='value'` lines, sourced by the launcher. SSH
 * servers refuse most variables sent over the protocol (AcceptEnv), and putting them on the
 * command line would show secrets in the remote process list; a 0600 file in a 0700
 * directory does neither. Names a shell cannot hold are returned as `skipped`.
 */
export function environmentFile(env: Record<string, string>): {
  content: string;
  skipped: string[];
} {
  const lines: string[] = [];
  const skipped: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name) || value.includes('\0')) skipped.push(name);
    else lines.push(`export ${name}=${shellQuote(value)}`);
  }
  return { content: lines.join('\n') + '\n', skipped };
}

/**
 * The launcher, run by `sh` in the run directory with: the interpreter and the script file.
 * It starts the script in a session of its own (so one signal reaches its whole process
 * tree), records that group's id for the canceller, and when the script ends kills whatever
 * it left in the group and removes the directory. A watchdog kills the group if the SSH
 * session that started it goes away (the orchestrator died or the connection dropped), so a
 * lost connection leaves nothing running. The env file (secrets, the run token) is removed as
 * soon as it is read, and leftovers of attempts that never started are removed by the next
 * launch on that login. The launcher exits 97 when it cannot set up (with
 * the shell's message on stderr); otherwise with the script's status.
 */
const LAUNCHER = [
  'dir=$(pwd) || exit 97',
  // Directories of attempts that never started (the connection broke during the upload, or the
  // orchestrator died before the launch) still hold their env file, with secrets and a run
  // token: the env of a started attempt is removed at once (below), so one older than an hour
  // is such a leftover, and goes with its directory.
  'for old in ../*/env; do [ -f "$old" ] && [ -n "$(find "$old" -mmin +60 2>/dev/null)" ] && rm -rf -- "${old%/env}"; done 2>/dev/null',
  // The launcher keeps the login's PATH for its own tools (setsid, kill, rm); the run's
  // environment, which may set another PATH, applies to the script alone.
  'syspath=$PATH',
  'setsid_bin=$(command -v setsid 2>/dev/null)',
  '. ./env || exit 97',
  'scriptpath=$PATH',
  'PATH=$syspath',
  // The variables are in this shell now; the file with the secrets goes before the script runs.
  'rm -f ./env',
  // The Bash SDK's functions, defined before the script starts (when the SDK was uploaded).
  'if [ -f cronium.sh ]; then export BASH_ENV="$dir/cronium.sh"; fi',
  'if ! (PATH=$scriptpath; command -v "$1" >/dev/null 2>&1); then echo "cronium: $1 is not installed on this server (not on PATH)" >&2; cd / && rm -rf -- "$dir"; exit 127; fi',
  'if [ -n "$setsid_bin" ]; then PATH=$scriptpath "$setsid_bin" "$1" "./$2" </dev/null & else set -m; (PATH=$scriptpath; exec "$1" "./$2") </dev/null & set +m; fi',
  'pid=$!',
  'echo "$pid" > pid',
  '[ -e cancel ] && kill -KILL "-$pid" 2>/dev/null',
  'parent=$PPID',
  '( trap \'kill "$s" 2>/dev/null; exit 0\' TERM; while kill -0 "$parent" 2>/dev/null && [ "$(cut -d" " -f4 /proc/$$/stat 2>/dev/null || echo "$parent")" = "$parent" ]; do sleep 1 & s=$!; wait "$s"; done; kill -TERM "-$pid" 2>/dev/null; sleep 2; kill -KILL "-$pid" 2>/dev/null ) </dev/null >/dev/null 2>&1 &',
  'watchdog=$!',
  // From here on the launcher writes nothing to the session, which may be gone by the time
  // the script ends: the shell reporting a killed job on a closed channel would die of
  // SIGPIPE before cleaning up. The script keeps its own stdout and stderr.
  'exec >/dev/null 2>&1',
  'wait "$pid"; status=$?',
  'kill "$watchdog"',
  'kill -KILL "-$pid"',
  'cd / && rm -rf -- "$dir"',
  'exit "$status"',
].join('\n');

/** The command that runs an uploaded script (for the login shell, whatever it is). */
export function launchCommand(dir: string, interpreter: string, scriptFile: string): string {
  return `cd ${shellQuote(dir)} && exec sh -c ${shellQuote(LAUNCHER)} cronium ${shellQuote(interpreter)} ${shellQuote(scriptFile)}`;
}

/**
 * Stops a run's process group: marks the directory cancelled (so a launcher that has not
 * recorded its group yet kills it itself), then SIGTERM, up to `graceMs` for it to go, then
 * SIGKILL.
 */
export function killCommand(dir: string, graceMs: number): string {
  const ticks = Math.max(1, Math.ceil(graceMs / 100));
  const script = [
    'cd "$1" 2>/dev/null || exit 0',
    ': > cancel',
    'pid=$(cat pid 2>/dev/null)',
    '[ -n "$pid" ] || exit 0',
    'kill -TERM "-$pid" 2>/dev/null || exit 0',
    'i=0',
    `while [ "$i" -lt ${ticks} ] && kill -0 "-$pid" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done`,
    'kill -KILL "-$pid" 2>/dev/null',
    'exit 0',
  ].join('\n');
  return `exec sh -c ${shellQuote(script)} cronium ${shellQuote(dir)}`;
}

/** Removes a run directory the launcher never got to (the upload or start failed). */
export function removeDirCommand(dir: string): string {
  return `rm -rf -- ${shellQuote(dir)}`;
}
