// Every environment variable the orchestrator reads: type, default, bounds and what it does
// (the configuration docs and the error messages are made from these descriptions).
import { ALLOW_LIST_HINT, ALLOW_LIST_PATTERN } from '@cronium/egress';
import { RUNNER_IMAGE } from '@cronium/executors';
import { env, SERVICE_ADDRESSES, serviceHostEnv, servicePortEnv } from '@cronium/service-kit';

// Grace and kill grace are capped so that grace + kill grace + 20 s of margin stays under
// pm2's kill timeout for the orchestrator (70 s in ecosystem.config.cjs).
export const orchestratorEnvSpec = {
  ...serviceHostEnv(SERVICE_ADDRESSES.orchestrator, 'address of the health/ready endpoint'),
  ...servicePortEnv(SERVICE_ADDRESSES.orchestrator, 'port of the health/ready endpoint'),
  ORCHESTRATOR_SHUTDOWN_GRACE_MS: env.integer({
    default: 15_000,
    min: 0,
    max: 30_000,
    description:
      'how long running work may finish after SIGTERM before its runs are handed back to the queue',
  }),
  ORCHESTRATOR_ID: env.string({
    optional: true,
    pattern: /^[A-Za-z0-9._:-]{1,100}$/,
    patternHint: 'up to 100 letters, digits and . _ : -',
    description: 'name of this orchestrator in leases and logs (default: host-pid-random)',
  }),
  ORCHESTRATOR_CONCURRENCY: env.integer({
    default: 32,
    min: 1,
    max: 10_000,
    description: 'runs this orchestrator executes at once',
  }),
  ORCHESTRATOR_MAX_RUNNING_PER_OWNER: env.integer({
    default: 16,
    min: 1,
    max: 100_000,
    description:
      'most runs of one user running at once, over all orchestrators (set the same value on each)',
  }),
  ORCHESTRATOR_LEASE_MS: env.integer({
    default: 30_000,
    min: 1_000,
    max: 3_600_000,
    description:
      'lease on a claimed run; renewed every third of it; an expired lease lets another orchestrator take the run',
  }),
  ORCHESTRATOR_POLL_MS: env.integer({
    default: 1_000,
    min: 10,
    max: 60_000,
    description: 'queue poll interval when no notification arrives',
  }),
  ORCHESTRATOR_LIVENESS_MS: env.integer({
    default: 3_000,
    min: 0,
    max: 60_000,
    description:
      'a peer orchestrator whose database session has been gone this long has its runs taken back (crash recovery in seconds); this one stops its attempts when its own session is unconfirmed for half of it; 0: leases only',
  }),
  ORCHESTRATOR_SWEEP_MS: env.integer({
    default: 5_000,
    min: 100,
    max: 600_000,
    description: 'how often expired leases are swept',
  }),
  ORCHESTRATOR_MISFIRE_THRESHOLD_MS: env.integer({
    default: 5_000,
    min: 0,
    max: 3_600_000,
    description:
      'a schedule slot seen later than this is a misfire (handled by the event misfire policy)',
  }),
  ORCHESTRATOR_LOG_MAX_BYTES: env.integer({
    default: 10 * 1024 * 1024,
    min: 1024,
    max: 1024 * 1024 * 1024,
    description:
      'stored output per run, over all its attempts; past it output is dropped and the log says so',
  }),
  ORCHESTRATOR_KILL_GRACE_MS: env.integer({
    default: 5_000,
    min: 0,
    max: 10_000,
    description: 'between SIGTERM and SIGKILL when a run is stopped',
  }),
  ORCHESTRATOR_RETENTION_DAYS: env.integer({
    default: 30,
    min: 1,
    max: 3650,
    description: 'finished runs, their logs and schedule ticks older than this are deleted',
  }),
  ORCHESTRATOR_AUDIT_RETENTION_DAYS: env.integer({
    default: 365,
    min: 1,
    max: 36_500,
    description: 'audit log entries older than this are deleted',
  }),
  ORCHESTRATOR_SCHEDULER: env.boolean({
    default: true,
    description: 'whether this orchestrator evaluates schedules (any number may)',
  }),
  ORCHESTRATOR_ACTIONS: env.boolean({
    default: true,
    description:
      'whether this orchestrator sends the conditional actions of finished runs (any number may)',
  }),
  ORCHESTRATOR_LOCAL: env.oneOf(['off', 'admins', 'everyone'], {
    default: 'admins',
    description:
      'who may run scripts on the orchestrator machine (the local target): nobody, administrators, or every user (needs user switching: root or CAP_SETUID/CAP_SETGID)',
  }),
  ORCHESTRATOR_LOCAL_UID_BASE: env.integer({
    default: 1_900_000_000,
    min: 1_000,
    max: 2_000_000_000,
    description:
      'where user switching is possible, the scripts of the user with id N run as uid and gid (this + N); the range must belong to no account',
  }),
  ORCHESTRATOR_LOCAL_SANDBOX: env.oneOf(['auto', 'off'], {
    default: 'auto',
    description:
      'auto: local scripts also run in a bubblewrap sandbox (private /proc, /tmp, PID namespace) when bwrap works here; off: never',
  }),
  ORCHESTRATOR_CONTAINERS: env.oneOf(['auto', 'on', 'off'], {
    default: 'auto',
    description:
      'container executor: auto = when the Docker engine answers at start; on = required; off = never',
  }),
  DOCKER_SOCKET: env.string({
    default: '/var/run/docker.sock',
    description: 'the Docker engine socket',
  }),
  CONTAINER_IMAGE_BASH: env.string({
    default: RUNNER_IMAGE,
    description: 'default image for bash events',
  }),
  CONTAINER_IMAGE_PYTHON: env.string({
    default: RUNNER_IMAGE,
    description: 'default image for python events',
  }),
  CONTAINER_IMAGE_NODE: env.string({
    default: RUNNER_IMAGE,
    description: 'default image for node events',
  }),
  CONTAINER_USER: env.string({
    default: '65534:65534',
    pattern: /^[1-9][0-9]*:[1-9][0-9]*$/,
    patternHint: 'a numeric uid:gid other than root',
    description: 'user scripts run as inside containers',
  }),
  CONTAINER_MEMORY_MB: env.integer({
    default: 256,
    min: 16,
    max: 1_048_576,
    description: 'memory (and memory+swap) per container unless the event asks for more',
  }),
  CONTAINER_MAX_MEMORY_MB: env.integer({
    default: 2048,
    min: 16,
    max: 1_048_576,
    description: 'most memory an event may ask for',
  }),
  CONTAINER_CPU_MILLIS: env.integer({
    default: 1000,
    min: 10,
    max: 256_000,
    description: 'CPU per container in millicpus unless the event asks',
  }),
  CONTAINER_MAX_CPU_MILLIS: env.integer({
    default: 2000,
    min: 10,
    max: 256_000,
    description: 'most CPU an event may ask for',
  }),
  CONTAINER_PIDS: env.integer({
    default: 256,
    min: 8,
    max: 1_000_000,
    description: 'process limit per container unless the event asks',
  }),
  CONTAINER_MAX_PIDS: env.integer({
    default: 1024,
    min: 8,
    max: 1_000_000,
    description: 'highest process limit an event may ask for',
  }),
  CONTAINER_TMPFS_MB: env.integer({
    default: 64,
    min: 1,
    max: 65_536,
    description: 'size of each writable tmpfs (/tmp, /work) in a container',
  }),
  CONTAINER_NETWORK: env.string({
    optional: true,
    description:
      'Docker network for events that ask for network access (none otherwise; never host)',
  }),
  ...serviceHostEnv(
    SERVICE_ADDRESSES.runtimeApi,
    'where the runtime API listens (for the default of RUNTIME_API_URL)',
  ),
  ...servicePortEnv(
    SERVICE_ADDRESSES.runtimeApi,
    "the runtime API's port (for the default of RUNTIME_API_URL)",
  ),
  RUNTIME_API_URL: env.string({
    optional: true,
    // Plain http: the API is reached on this machine (and through SSH forwards to it).
    pattern: /^http:\/\/[^/\s]+\/?$/,
    patternHint: 'http://host:port',
    description:
      'the runtime API as local scripts and SSH port forwards reach it from the orchestrator machine (default: http://RUNTIME_API_HOST:RUNTIME_API_PORT, 127.0.0.1 for 0.0.0.0)',
  }),
  RUNTIME_API_SOCKET: env.string({
    optional: true,
    pattern: /^(off|\/.+)$/,
    patternHint: 'an absolute path, or off',
    description:
      'the runtime API unix socket mounted into containers (default: <data dir>/run/runtime-api.sock; "off": containers get RUNTIME_API_URL)',
  }),
  SSH_CONNECT_TIMEOUT_MS: env.integer({
    default: 10_000,
    min: 500,
    max: 120_000,
    description: 'limit on TCP connect, key exchange and authentication to an SSH server',
  }),
  SSH_IDLE_MS: env.integer({
    default: 30_000,
    min: 0,
    max: 3_600_000,
    description: 'how long an unused pooled SSH connection stays open',
  }),
  SSH_RUNS_PER_CONNECTION: env.integer({
    default: 4,
    min: 1,
    max: 4,
    description:
      'runs sharing one pooled SSH connection (each uses up to 2 channels; OpenSSH allows 10 per connection)',
  }),
  EGRESS_ALLOW: env.string({
    optional: true,
    pattern: ALLOW_LIST_PATTERN,
    patternHint: ALLOW_LIST_HINT,
    description:
      'internal destinations (loopback, private, link-local...) that every user may reach from HTTP events and SSH; admins may reach them all',
  }),
  EGRESS_ALLOW_METADATA: env.string({
    optional: true,
    pattern: ALLOW_LIST_PATTERN,
    patternHint: 'comma-separated metadata addresses or host names, such as 169.254.169.254',
    description:
      'cloud metadata endpoints that may be reached at all (then as internal destinations); refused for everyone otherwise',
  }),
  PATH: env.string({
    default: '/usr/local/bin:/usr/bin:/bin',
    description: 'PATH given to local scripts',
  }),
};
