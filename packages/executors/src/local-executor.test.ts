import { existsSync, readFileSync } from 'node:fs';
import type { ExecutionLogLine, ExecutionRequest } from './executor.ts';
import {
  DirectProcessLauncher,
  HelperProcessLauncher,
  type ProcessLauncher,
} from './launch/index.ts';
import { LocalExecutor } from './local-executor.ts';

const base = {
  runId: 1,
  attempt: 1,
  eventId: 1,
  http: null,
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
};
const request = (
  type: 'bash' | 'python' | 'node',
  script: string,
  env: Record<string, string> = {},
): ExecutionRequest => ({
  ...base,
  type,
  script,
  env: { ...base.env, ...env },
});

/** A process that exists and is not a zombie (a killed orphan waits for init to reap it). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function execute(
  executor: LocalExecutor,
  req: ExecutionRequest,
  controller = new AbortController(),
) {
  const lines: ExecutionLogLine[] = [];
  const result = await executor.run(req, {
    signal: controller.signal,
    onLog: (l) => lines.push(l),
  });
  return { result, lines, text: lines.map((l) => `${l.stream}:${l.text}`) };
}

describe.each([
  ['started by the orchestrator itself', () => new DirectProcessLauncher()],
  ['started through the launch helper', () => new HelperProcessLauncher()],
] as const)('LocalExecutor, processes %s', (_, makeLauncher) => {
  const launcher: ProcessLauncher = makeLauncher();
  const executor = new LocalExecutor({ killGraceMs: 300, launcher });
  afterAll(() => launcher.close());

  it.each([
    ['bash', 'echo one; echo two >&2; echo "three $GREETING"'],
    [
      'python',
      'import os, sys\nprint("one", flush=True)\nprint("two", file=sys.stderr, flush=True)\nprint("three", os.environ["GREETING"])',
    ],
    [
      'node',
      'console.log("one"); console.error("two"); console.log("three", process.env.GREETING);',
    ],
  ] as const)('runs %s and captures stdout/stderr line by line', async (type, script) => {
    const { result, text } = await execute(executor, request(type, script, { GREETING: 'hi' }));
    expect(result).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(text).toEqual(expect.arrayContaining(['stdout:one', 'stderr:two', 'stdout:three hi']));
    expect(text.filter((l) => l.startsWith('stdout:'))).toEqual(['stdout:one', 'stdout:three hi']);
  });

  it('reports a non-zero exit as failed with its code', async () => {
    const { result } = await execute(executor, request('bash', 'echo bye; exit 3'));
    expect(result).toEqual({ status: 'failed', exitCode: 3, error: 'exited with code 3' });
  });

  it('runs in a private working directory that is removed afterwards', async () => {
    const { result, lines } = await execute(
      executor,
      request('bash', 'pwd; echo "$HOME"; touch made-here'),
    );
    expect(result.status).toBe('succeeded');
    expect(lines[0]!.text).toBe(lines[1]!.text);
    expect(lines[0]!.text).toMatch(/cronium-run-1-1-/);
    expect(existsSync(lines[0]!.text)).toBe(false);
  });

  it('streams output as it happens, not only at the end', async () => {
    const seen: number[] = [];
    const started = Date.now();
    const result = await executor.run(request('bash', 'echo first; sleep 0.5; echo second'), {
      signal: new AbortController().signal,
      onLog: () => seen.push(Date.now() - started),
    });
    expect(result.status).toBe('succeeded');
    expect(seen).toHaveLength(2);
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(400);
  });

  it('kills the whole process tree on abort, including grandchildren that ignore SIGTERM', async () => {
    const controller = new AbortController();
    const lines: ExecutionLogLine[] = [];
    let announced: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (announced = resolve));
    const script = `
      trap '' TERM
      (trap '' TERM; sleep 300) &
      echo "child $!"
      bash -c "trap '' TERM; sleep 300 & echo grandchild \\$!; wait" &
      sleep 0.2
      echo "main $$"
      sleep 300`;
    const running = executor.run(request('bash', script), {
      signal: controller.signal,
      onLog: (line) => {
        lines.push(line);
        if (line.text.startsWith('main ')) announced();
      },
    });
    await ready;
    const pids = lines.map((l) => Number(l.text.split(' ')[1])).filter((n) => n > 0);
    expect(pids).toHaveLength(3);
    expect(pids.every(alive)).toBe(true);
    controller.abort('cancel');
    const result = await running;
    expect(result).toMatchObject({
      status: 'failed',
      exitCode: 137,
      result: { signal: 'SIGKILL' },
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(pids.filter(alive)).toEqual([]);
  });

  it('leaves nothing behind when a script exits with background work still running', async () => {
    const { result, lines } = await execute(
      executor,
      request('bash', 'sleep 300 & echo $!; exit 0'),
    );
    expect(result.status).toBe('succeeded');
    const pid = Number(lines[0]!.text);
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
  });

  it('does not hang on a process that escaped the group (setsid) and holds the output open', async () => {
    const started = Date.now();
    const { result, lines } = await execute(
      executor,
      request('bash', "setsid bash -c 'echo escaped $$; exec sleep 30' & sleep 0.2; exit 0"),
    );
    const escaped = Number(lines.find((l) => l.text.startsWith('escaped'))?.text.split(' ')[1]);
    try {
      expect(result.status).toBe('succeeded');
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      if (escaped > 0) process.kill(escaped, 'SIGKILL');
    }
  });

  it('fails clearly when the interpreter is missing', async () => {
    const missing = new LocalExecutor({
      interpreters: { python: '/nonexistent/python3' },
      launcher,
    });
    const { result } = await execute(missing, request('python', 'print(1)'));
    expect(result).toMatchObject({
      status: 'failed',
      exitCode: null,
      error: expect.stringMatching(/could not start \/nonexistent\/python3: .*ENOENT/),
    });
  });
});

describe('HelperProcessLauncher', () => {
  it('when its helper dies, kills what it started and says why; the next launch starts a new one', async () => {
    const launcher = new HelperProcessLauncher();
    const executor = new LocalExecutor({ launcher });
    try {
      const lines: ExecutionLogLine[] = [];
      let announced: () => void = () => undefined;
      const ready = new Promise<void>((resolve) => (announced = resolve));
      const running = executor.run(request('bash', 'echo "main $$"; sleep 300'), {
        signal: new AbortController().signal,
        onLog: (line) => {
          lines.push(line);
          announced();
        },
      });
      await ready;
      const scriptPid = Number(lines[0]!.text.split(' ')[1]);
      const helperPid = Number(
        readFileSync(`/proc/${scriptPid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1],
      );
      process.kill(helperPid, 'SIGKILL');
      expect(await running).toMatchObject({
        status: 'failed',
        exitCode: null,
        error: expect.stringMatching(
          /the process launcher stopped \(SIGKILL\); the script was killed/,
        ),
      });
      await new Promise((r) => setTimeout(r, 100));
      expect(alive(scriptPid)).toBe(false);
      const { result, text } = await execute(executor, request('bash', 'echo again'));
      expect([result.status, text]).toEqual(['succeeded', ['stdout:again']]);
    } finally {
      await launcher.close();
    }
  });

  it('kills what it started and removes its directories when this process goes away (the channel to the helper closes)', async () => {
    const launcher = new HelperProcessLauncher();
    const executor = new LocalExecutor({ launcher });
    const lines: string[] = [];
    let announced: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (announced = resolve));
    const running = executor.run(request('bash', 'echo "main $$ $PWD"; sleep 300'), {
      signal: new AbortController().signal,
      onLog: (line) => {
        lines.push(line.text);
        announced();
      },
    });
    await ready;
    const [, pid, workDir] = lines[0]!.split(' ');
    await launcher.close();
    expect((await running).status).toBe('failed');
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(Number(pid))).toBe(false);
    expect(existsSync(workDir!)).toBe(false);
  });
});
