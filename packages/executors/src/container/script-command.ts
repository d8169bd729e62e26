/** Cronium's own script image (docker/runner): every program any event or SDK needs. */
import type { ScriptType } from '@cronium/contracts';
export const RUNNER_IMAGE = 'ghcr.io/cronium/runner:1';

export type { ScriptType };

/** The interpreter of each language and the file its script is written to in /work. */
const INTERPRETERS: Record<ScriptType, [interpreter: string, file: string]> = {
  bash: ['bash', '/work/script.sh'],
  python: ['python3', '/work/script.py'],
  node: ['node', '/work/script.js'],
};

/** The exit status of a shell that cannot find a command; the preflight uses it too. */
const NOT_FOUND = 127;

/** A script that calls a Bash SDK function (they all start with `cronium_`) needs curl. */
const BASH_SDK_CALL = /\bcronium_[a-z_]+/;

export interface ScriptCommand {
  /** The container's command: a POSIX sh that checks the image, then becomes the interpreter. */
  cmd: string[];
  /**
   * The clear reason for a run that ended with `exitCode` and whose first line on stderr was
   * `firstStderrLine`, when the image lacked something; undefined for any other ending.
   */
  explain(exitCode: number, firstStderrLine: string | undefined): string | undefined;
}

/**
 * The command of a script container, and how to read its failure.
 *
 * The script is not an argument (one argument is limited to 128 KiB by the kernel, and the
 * command line is visible to `docker inspect`): it arrives on stdin, `sh` writes it to /work
 * with `cat` and then becomes the interpreter, whose stdin is then at end-of-file, as a local
 * script's is.
 *
 * A bring-your-own image may lack a program. Before the interpreter starts, the shell checks
 * with `command -v` for each program the run needs (cat, the interpreter, and curl for a Bash
 * script that calls the SDK) and, for the first one missing, prints a message naming it and
 * exits 127, so the run's log and error say what is missing instead of a bare "not found".
 * Without `sh` no check can run: Docker's init (tini) then reports `exec sh failed`, which
 * `explain` turns into the same kind of message.
 */
export function scriptCommand(
  type: ScriptType,
  image: string,
  options: { script: string; sdk: boolean },
): ScriptCommand {
  const [interpreter, file] = INTERPRETERS[type];
  const missing = (program: string, neededBy: string) => missingProgram(image, program, neededBy);
  const report = (message: string) =>
    `printf '%s\\n' ${shellQuote(message)} >&2; exit ${NOT_FOUND}`;
  const has = (program: string) => `command -v ${program} >/dev/null 2>&1`;

  const noCat = missing('cat', 'Cronium needs to receive the script');
  const needs: Array<[program: string, message: string]> = [
    [interpreter, missing(interpreter, `${type} events need`)],
  ];
  if (type === 'bash' && options.sdk && BASH_SDK_CALL.test(options.script))
    needs.push(['curl', missing('curl', 'the Bash SDK needs')]);

  const preflight = [
    // Without cat, stdin is still read to its end so the executor's write of the script
    // completes before the container exits.
    `${has('cat')} || { while read -r _; do :; done; ${report(noCat)}; }`,
    'cat > "$1" || exit',
    ...needs.map(([program, message]) => `${has(program)} || { ${report(message)}; }`),
    'exec "$0" "$1"',
  ].join('\n');
  const messages = new Set([noCat, ...needs.map(([, message]) => message)]);

  return {
    cmd: ['sh', '-c', preflight, interpreter, file],
    explain(exitCode, firstStderrLine) {
      if (exitCode !== NOT_FOUND || firstStderrLine === undefined) return undefined;
      if (messages.has(firstStderrLine)) return firstStderrLine;
      if (/^\[FATAL tini \(\d+\)\] exec sh failed: /.test(firstStderrLine))
        return missing('sh', START_NEEDS_SH);
      return undefined;
    },
  };
}

/**
 * The reason for a container that Docker could not start because its image has no `sh`
 * (the engine's own message when no init process runs first), undefined for other errors.
 */
export function explainStartError(image: string, error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  return /exec: "sh": executable file not found/.test(message)
    ? missingProgram(image, 'sh', START_NEEDS_SH)
    : undefined;
}

const START_NEEDS_SH = 'Cronium needs to start a script';

function missingProgram(image: string, program: string, neededBy: string): string {
  return `the image ${image} has no ${program}, which ${neededBy}; use ${RUNNER_IMAGE} or install ${program}`;
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
