// The Docker socket is root on the host. Every container-create request Cronium sends goes
// through this guard first: an allowlist of fields and values; anything else is refused, so
// no event configuration, bug or injected value can turn Cronium into a way to misuse it.
import { IMAGE_REFERENCE } from '@cronium/contracts';

export interface SandboxCaps {
  /** Largest memory limit an event may ask for, in bytes. */
  maxMemoryBytes: number;
  /** Largest CPU limit, in nano-CPUs (1e9 = one CPU). */
  maxNanoCpus: number;
  maxPids: number;
  maxTmpfsBytes: number;
  /** Networks an event may use besides `none` (set by the administrator). */
  allowedNetworks: string[];
  /** Host paths that may be bind-mounted, read-only (the runtime API socket directory). */
  allowedReadOnlyBinds: string[];
}

export class CreateRequestRefused extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`container create request refused: ${problems.join('; ')}`);
    this.name = 'CreateRequestRefused';
    this.problems = problems;
  }
}

type Check = (value: unknown, caps: SandboxCaps) => string | undefined;

const isString = (v: unknown): v is string => typeof v === 'string';
const isPositiveInteger = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

/** Where Cronium mounts its own read-only directories inside a container; nothing else. */
const BIND_TARGETS = new Set(['/run/cronium', '/opt/cronium', '/node_modules/cronium']);

const ULIMIT_MAX: Record<string, (caps: SandboxCaps) => number> = {
  nofile: () => 1_048_576,
  nproc: (caps) => caps.maxPids,
  core: () => 0,
};

const TOP_LEVEL: Record<string, Check> = {
  Image: (v) =>
    isString(v) && v.length <= 512 && IMAGE_REFERENCE.test(v)
      ? undefined
      : 'Image must be an image reference',
  Cmd: (v) => (Array.isArray(v) && v.every(isString) ? undefined : 'Cmd must be a list of strings'),
  Entrypoint: (v) =>
    Array.isArray(v) && v.every(isString) ? undefined : 'Entrypoint must be a list of strings',
  Env: (v) =>
    Array.isArray(v) && v.every((e) => isString(e) && /^[A-Za-z_][A-Za-z0-9_]*=/.test(e))
      ? undefined
      : 'Env must be NAME=value strings',
  WorkingDir: (v) =>
    isString(v) && v.startsWith('/') ? undefined : 'WorkingDir must be an absolute path',
  User: (v) => {
    if (!isString(v)) return 'User must be set';
    const match = /^([0-9]+):([0-9]+)$/.exec(v);
    if (!match) return `User ${v} must be numeric uid:gid`;
    if (Number(match[1]) === 0 || Number(match[2]) === 0)
      return `User ${v} is root; containers run unprivileged`;
    return undefined;
  },
  Labels: (v) =>
    v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(isString)
      ? undefined
      : 'Labels must be a string map',
  AttachStdin: (v) => (typeof v === 'boolean' ? undefined : 'AttachStdin must be a boolean'),
  AttachStdout: (v) => (typeof v === 'boolean' ? undefined : 'AttachStdout must be a boolean'),
  AttachStderr: (v) => (typeof v === 'boolean' ? undefined : 'AttachStderr must be a boolean'),
  OpenStdin: (v) => (typeof v === 'boolean' ? undefined : 'OpenStdin must be a boolean'),
  StdinOnce: (v) => (typeof v === 'boolean' ? undefined : 'StdinOnce must be a boolean'),
  Tty: (v) => (v === false ? undefined : 'Tty must be false'),
  NetworkDisabled: (v) =>
    typeof v === 'boolean' ? undefined : 'NetworkDisabled must be a boolean',
  StopSignal: (v) =>
    isString(v) && /^SIG[A-Z0-9]+$/.test(v) ? undefined : 'StopSignal must be a signal name',
  StopTimeout: (v) =>
    Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 60
      ? undefined
      : 'StopTimeout must be 0-60',
  HostConfig: () => undefined, // checked field by field below
};

const TMPFS_PATHS = /^\/(tmp|work|home\/[a-z0-9_-]+)$/;

const HOST_CONFIG: Record<string, Check> = {
  Memory: (v, caps) =>
    isPositiveInteger(v) && v <= caps.maxMemoryBytes
      ? undefined
      : `Memory must be 1-${caps.maxMemoryBytes} bytes`,
  MemorySwap: () => undefined, // must equal Memory: checked with it
  NanoCpus: (v, caps) =>
    isPositiveInteger(v) && v <= caps.maxNanoCpus
      ? undefined
      : `NanoCpus must be 1-${caps.maxNanoCpus}`,
  PidsLimit: (v, caps) =>
    isPositiveInteger(v) && v <= caps.maxPids ? undefined : `PidsLimit must be 1-${caps.maxPids}`,
  ReadonlyRootfs: (v) => (v === true ? undefined : 'ReadonlyRootfs must be true'),
  CapDrop: (v) =>
    Array.isArray(v) && v.length === 1 && v[0] === 'ALL'
      ? undefined
      : 'CapDrop must be exactly ["ALL"]',
  CapAdd: (v) =>
    v === null || (Array.isArray(v) && v.length === 0) ? undefined : 'CapAdd is not allowed',
  SecurityOpt: (v) =>
    Array.isArray(v) && v.length === 1 && v[0] === 'no-new-privileges:true'
      ? undefined
      : 'SecurityOpt must be exactly ["no-new-privileges:true"] (default seccomp and AppArmor profiles stay on)',
  Privileged: (v) => (v === false ? undefined : 'Privileged is not allowed'),
  NetworkMode: (v, caps) =>
    v === 'none' ||
    (isString(v) && caps.allowedNetworks.includes(v) && v !== 'host' && !v.startsWith('container:'))
      ? undefined
      : `NetworkMode ${String(v)} is not allowed (none${caps.allowedNetworks.length ? `, ${caps.allowedNetworks.join(', ')}` : ''})`,
  Tmpfs: (v, caps) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return 'Tmpfs must be a map';
    for (const [path, options] of Object.entries(v)) {
      if (!TMPFS_PATHS.test(path)) return `Tmpfs on ${path} is not allowed`;
      if (!isString(options)) return `Tmpfs options for ${path} must be a string`;
      const opts = options.split(',');
      // The kernel takes the last of repeated options: a second size= would win over the one
      // checked here, so no option may be given twice.
      const names = opts.map((o) => o.split('=')[0]);
      if (new Set(names).size !== names.length) return `Tmpfs ${path} repeats an option`;
      const size = opts.find((o) => o.startsWith('size='))?.slice(5);
      if (!size || !/^\d+$/.test(size) || Number(size) > caps.maxTmpfsBytes)
        return `Tmpfs ${path} needs size=<bytes> up to ${caps.maxTmpfsBytes}`;
      if (!opts.includes('nosuid') || !opts.includes('nodev'))
        return `Tmpfs ${path} must be nosuid,nodev`;
      if (
        opts.some(
          (o) =>
            !/^(rw|nosuid|nodev|noexec|exec|size=\d+|mode=[0-7]{3,4}|uid=\d+|gid=\d+)$/.test(o),
        )
      )
        return `Tmpfs ${path} has an unknown option`;
    }
    return undefined;
  },
  Binds: (v, caps) => {
    if (!Array.isArray(v)) return 'Binds must be a list';
    for (const bind of v) {
      if (!isString(bind)) return 'Binds must be strings';
      const [source, target, mode, ...rest] = bind.split(':');
      if (rest.length > 0 || mode !== 'ro' || !source || !target)
        return `bind ${bind} must be source:target:ro`;
      if (!caps.allowedReadOnlyBinds.includes(source))
        return `bind of host path ${source} is not allowed`;
      if (!BIND_TARGETS.has(target))
        return `bind target ${target} is not allowed (${[...BIND_TARGETS].join(', ')})`;
    }
    return undefined;
  },
  IpcMode: (v) =>
    v === 'private' || v === 'none' ? undefined : `IpcMode ${String(v)} is not allowed`,
  CgroupnsMode: (v) => (v === 'private' ? undefined : `CgroupnsMode ${String(v)} is not allowed`),
  Init: (v) => (typeof v === 'boolean' ? undefined : 'Init must be a boolean'),
  AutoRemove: (v) => (typeof v === 'boolean' ? undefined : 'AutoRemove must be a boolean'),
  OomKillDisable: (v) => (v === false ? undefined : 'OomKillDisable is not allowed'),
  LogConfig: (v) =>
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    Object.keys(v).length === 1 &&
    (v as { Type?: unknown }).Type === 'none'
      ? undefined
      : 'LogConfig must be exactly { Type: "none" } (no copy of the output on the host)',
  Ulimits: (v, caps) => {
    if (!Array.isArray(v)) return 'Ulimits must be a list';
    for (const limit of v as { Name?: unknown; Soft?: unknown; Hard?: unknown }[]) {
      const name = String(limit?.Name);
      const max = Object.hasOwn(ULIMIT_MAX, name) ? ULIMIT_MAX[name]!(caps) : undefined;
      if (max === undefined) return 'Ulimits may only set nofile, nproc and core';
      const { Soft: soft, Hard: hard } = limit;
      if (
        !Number.isSafeInteger(soft) ||
        !Number.isSafeInteger(hard) ||
        (soft as number) < 0 ||
        (soft as number) > (hard as number) ||
        (hard as number) > max
      )
        return `Ulimits ${name} must be 0 <= Soft <= Hard <= ${max}`;
    }
    return undefined;
  },
};

/**
 * Checks a container-create request against the allowlist; throws CreateRequestRefused
 * listing every problem. Fields that are not listed (Devices, Mounts, PidMode, UTSMode,
 * UsernsMode, Runtime, Sysctls, VolumesFrom, PortBindings, CgroupParent...) are refused.
 */
export function guardCreateRequest(request: Record<string, unknown>, caps: SandboxCaps): void {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(request)) {
    const check = Object.hasOwn(TOP_LEVEL, key) ? TOP_LEVEL[key] : undefined;
    if (!check) problems.push(`${key} is not allowed`);
    else {
      const problem = check(value, caps);
      if (problem) problems.push(problem);
    }
  }
  for (const required of ['Image', 'User', 'HostConfig', 'Labels'] as const) {
    if (!(required in request)) problems.push(`${required} is required`);
  }
  const host = request.HostConfig;
  if (host && typeof host === 'object' && !Array.isArray(host)) {
    const hc = host as Record<string, unknown>;
    for (const [key, value] of Object.entries(hc)) {
      const check = Object.hasOwn(HOST_CONFIG, key) ? HOST_CONFIG[key] : undefined;
      if (!check) problems.push(`HostConfig.${key} is not allowed`);
      else {
        const problem = check(value, caps);
        if (problem) problems.push(`HostConfig.${problem}`);
      }
    }
    for (const required of [
      'Tmpfs',
      'CapAdd',
      'Privileged',
      'IpcMode',
      'CgroupnsMode',
      'Memory',
      'MemorySwap',
      'NanoCpus',
      'PidsLimit',
      'ReadonlyRootfs',
      'CapDrop',
      'SecurityOpt',
      'NetworkMode',
      'LogConfig',
    ] as const) {
      if (!(required in hc)) problems.push(`HostConfig.${required} is required`);
    }
    if ('MemorySwap' in hc && hc.MemorySwap !== hc.Memory)
      problems.push('HostConfig.MemorySwap must equal Memory (no swap)');
  } else if (host !== undefined) {
    problems.push('HostConfig must be an object');
  }
  if (problems.length > 0) throw new CreateRequestRefused([...new Set(problems)]);
}
