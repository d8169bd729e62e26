/** Per-attempt resource limits, already within the administrator's caps. */
export interface SandboxLimits {
  memoryBytes: number;
  nanoCpus: number;
  pids: number;
  tmpfsBytes: number;
}

export interface HardenedRequestInput {
  image: string;
  cmd: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
  limits: SandboxLimits;
  /** Numeric uid:gid the script runs as; never root. */
  user: string;
  /** `none` unless the event asks for a network the administrator allows. */
  network: string;
  /** Host directory holding the runtime API socket, mounted read-only at /run/cronium. */
  runtimeSocketDir?: string;
  /** Host directory of the SDKs, mounted read-only at /opt/cronium (and the Node.js package at /node_modules/cronium). */
  sdkDir?: string;
}

/** Where the SDK and the runtime socket appear inside a container. */
export const CONTAINER_SDK_DIR = '/opt/cronium';
export const CONTAINER_RUNTIME_DIR = '/run/cronium';

/**
 * The create request for a script container, hardened by default: all capabilities dropped,
 * no-new-privileges, read-only root with size-capped tmpfs for /tmp and /work, memory with
 * swap equal to memory, CPU and pids limits, an unprivileged user, the default seccomp and
 * AppArmor profiles, private namespaces, and no network unless asked for.
 */
export function hardenedCreateRequest(input: HardenedRequestInput): Record<string, unknown> {
  const tmpfs = `rw,nosuid,nodev,size=${input.limits.tmpfsBytes}`;
  // The working directory belongs to the script's user (a tmpfs is root's otherwise).
  const [uid, gid = uid] = input.user.split(':');
  const work = `${tmpfs},uid=${uid},gid=${gid}`;
  return {
    Image: input.image,
    Cmd: input.cmd,
    Env: Object.entries(input.env).map(([k, v]) => `${k}=${v}`),
    WorkingDir: '/work',
    User: input.user,
    Labels: input.labels,
    // Stdin carries the script once, then closes (see the container executor's command).
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: true,
    StdinOnce: true,
    Tty: false,
    NetworkDisabled: input.network === 'none',
    HostConfig: {
      Memory: input.limits.memoryBytes,
      MemorySwap: input.limits.memoryBytes,
      NanoCpus: input.limits.nanoCpus,
      PidsLimit: input.limits.pids,
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': tmpfs, '/work': work },
      CapDrop: ['ALL'],
      CapAdd: [],
      SecurityOpt: ['no-new-privileges:true'],
      Privileged: false,
      NetworkMode: input.network,
      IpcMode: 'private',
      CgroupnsMode: 'private',
      Init: true,
      OomKillDisable: false,
      // The output reaches Cronium through attach, masked and capped there. Docker's default
      // json-file driver would also keep all of it, unmasked and unbounded, on the host disk.
      LogConfig: { Type: 'none' },
      ...(input.runtimeSocketDir || input.sdkDir
        ? {
            Binds: [
              ...(input.runtimeSocketDir
                ? [`${input.runtimeSocketDir}:${CONTAINER_RUNTIME_DIR}:ro`]
                : []),
              ...(input.sdkDir
                ? [
                    `${input.sdkDir}:${CONTAINER_SDK_DIR}:ro`,
                    // Bare-specifier lookup from /work (require and import) ends here.
                    `${input.sdkDir}/node/cronium:/node_modules/cronium:ro`,
                  ]
                : []),
            ],
          }
        : {}),
    },
  };
}
