// The machine a run was measured on, for the head of docs/benchmarks.md.
import { execFile } from 'node:child_process';
import { cpus, release, totalmem, type } from 'node:os';
import { promisify } from 'node:util';
import type { Result } from './figure.ts';

const run = promisify(execFile);

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  /** Each server version the benchmarks reported, with the benchmarks that used it. */
  postgres: string[];
  docker: string;
}

async function dockerVersion(): Promise<string> {
  try {
    const { stdout } = await run('docker', ['version', '--format', '{{.Server.Version}}'], {
      timeout: 15_000,
    });
    return `engine ${stdout.trim()}`;
  } catch {
    return 'no engine answered';
  }
}

export async function machineInfo(results: Map<string, Result>): Promise<MachineInfo> {
  const byVersion = new Map<string, string[]>();
  for (const [name, result] of results)
    if (typeof result.postgres === 'string')
      byVersion.set(result.postgres, [...(byVersion.get(result.postgres) ?? []), name]);
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: `${type()} ${release()}`,
    postgres: [...byVersion].map(([version, names]) => `${version} (${names.join(', ')})`),
    docker: await dockerVersion(),
  };
}
