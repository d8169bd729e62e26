import { CreateRequestRefused, guardCreateRequest, type SandboxCaps } from './create-guard.ts';
import { hardenedCreateRequest } from './hardened-create-request.ts';

const caps: SandboxCaps = {
  maxMemoryBytes: 2 * 2 ** 30,
  maxNanoCpus: 2e9,
  maxPids: 512,
  maxTmpfsBytes: 512 * 2 ** 20,
  allowedNetworks: ['cronium-egress'],
  allowedReadOnlyBinds: ['/var/lib/cronium/sockets/run-1'],
};

// The mutations below reach into the request freely, as an attacker's input would.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LooseRequest = Record<string, any>;

function valid(): LooseRequest {
  return hardenedCreateRequest({
    image: 'cronium/runtime-bash:1',
    cmd: ['bash', '-s'],
    env: { CRONIUM_RUN_ID: '1' },
    labels: { 'cronium.run-id': '1', 'cronium.attempt': '1', 'cronium.orchestrator': 'o1' },
    limits: { memoryBytes: 256 * 2 ** 20, nanoCpus: 1e9, pids: 128, tmpfsBytes: 64 * 2 ** 20 },
    user: '65534:65534',
    network: 'none',
    runtimeSocketDir: '/var/lib/cronium/sockets/run-1',
  });
}

type Mutation = (request: LooseRequest) => void;

const MALICIOUS: [string, Mutation, RegExp][] = [
  ['privileged', (r) => (r.HostConfig.Privileged = true), /Privileged is not allowed/],
  [
    'privileged as a string',
    (r) => (r.HostConfig.Privileged = 'true'),
    /Privileged is not allowed/,
  ],
  ['an added capability', (r) => (r.HostConfig.CapAdd = ['SYS_ADMIN']), /CapAdd is not allowed/],
  ['capabilities kept', (r) => (r.HostConfig.CapDrop = []), /CapDrop must be exactly/],
  [
    'only some capabilities dropped',
    (r) => (r.HostConfig.CapDrop = ['NET_RAW']),
    /CapDrop must be exactly/,
  ],
  [
    'seccomp unconfined',
    (r) => r.HostConfig.SecurityOpt.push('seccomp=unconfined'),
    /SecurityOpt must be exactly/,
  ],
  [
    'AppArmor unconfined',
    (r) => (r.HostConfig.SecurityOpt = ['no-new-privileges:true', 'apparmor=unconfined']),
    /SecurityOpt/,
  ],
  [
    'privilege escalation allowed',
    (r) => (r.HostConfig.SecurityOpt = []),
    /SecurityOpt must be exactly/,
  ],
  ['the host root mounted', (r) => (r.HostConfig.Binds = ['/:/host']), /must be source:target:ro/],
  [
    'the Docker socket mounted',
    (r) => (r.HostConfig.Binds = ['/var/run/docker.sock:/var/run/docker.sock:ro']),
    /host path \/var\/run\/docker.sock is not allowed/,
  ],
  [
    'the allowed socket writable',
    (r) => (r.HostConfig.Binds = ['/var/lib/cronium/sockets/run-1:/run/cronium:rw']),
    /must be source:target:ro/,
  ],
  [
    'a mount through Mounts',
    (r) => (r.HostConfig.Mounts = [{ Type: 'bind', Source: '/etc', Target: '/etc' }]),
    /HostConfig.Mounts is not allowed/,
  ],
  [
    'a device',
    (r) => (r.HostConfig.Devices = [{ PathOnHost: '/dev/sda', PathInContainer: '/dev/sda' }]),
    /HostConfig.Devices is not allowed/,
  ],
  [
    'device cgroup rules',
    (r) => (r.HostConfig.DeviceCgroupRules = ['a *:* rwm']),
    /DeviceCgroupRules is not allowed/,
  ],
  ['the host PID namespace', (r) => (r.HostConfig.PidMode = 'host'), /PidMode is not allowed/],
  ['the host IPC namespace', (r) => (r.HostConfig.IpcMode = 'host'), /IpcMode host is not allowed/],
  ['the host UTS namespace', (r) => (r.HostConfig.UTSMode = 'host'), /UTSMode is not allowed/],
  [
    'the host user namespace',
    (r) => (r.HostConfig.UsernsMode = 'host'),
    /UsernsMode is not allowed/,
  ],
  [
    'the host cgroup namespace',
    (r) => (r.HostConfig.CgroupnsMode = 'host'),
    /CgroupnsMode host is not allowed/,
  ],
  [
    'the host network',
    (r) => (r.HostConfig.NetworkMode = 'host'),
    /NetworkMode host is not allowed/,
  ],
  [
    'another container network',
    (r) => (r.HostConfig.NetworkMode = 'container:abc'),
    /NetworkMode container:abc is not allowed/,
  ],
  [
    'an unlisted network',
    (r) => (r.HostConfig.NetworkMode = 'bridge'),
    /NetworkMode bridge is not allowed/,
  ],
  [
    'another runtime',
    (r) => (r.HostConfig.Runtime = 'sysbox-runc'),
    /HostConfig.Runtime is not allowed/,
  ],
  [
    'a writable root filesystem',
    (r) => (r.HostConfig.ReadonlyRootfs = false),
    /ReadonlyRootfs must be true/,
  ],
  ['root by name', (r) => (r.User = 'root'), /must be numeric uid:gid/],
  ['uid 0', (r) => (r.User = '0:0'), /is root/],
  ['gid 0', (r) => (r.User = '1000:0'), /is root/],
  ['uid 0 spelled 00', (r) => (r.User = '00:00'), /is root/],
  ['a uid with no group', (r) => (r.User = '1000'), /must be numeric uid:gid/],
  [
    'an inherited object key',
    (r) => (r.HostConfig.hasOwnProperty = 1),
    /hasOwnProperty is not allowed/,
  ],
  [
    'no cgroup namespace setting',
    (r) => delete r.HostConfig.CgroupnsMode,
    /CgroupnsMode is required/,
  ],
  ['no user', (r) => delete r.User, /User is required/],
  ['unlimited swap', (r) => (r.HostConfig.MemorySwap = -1), /MemorySwap must equal Memory/],
  ['no memory limit', (r) => (r.HostConfig.Memory = 0), /Memory must be 1-/],
  [
    'memory above the cap',
    (r) => ((r.HostConfig.Memory = 8 * 2 ** 30), (r.HostConfig.MemorySwap = 8 * 2 ** 30)),
    /Memory must be 1-/,
  ],
  ['no pids limit', (r) => (r.HostConfig.PidsLimit = -1), /PidsLimit must be 1-512/],
  ['CPU above the cap', (r) => (r.HostConfig.NanoCpus = 64e9), /NanoCpus must be/],
  [
    'kernel parameters',
    (r) => (r.HostConfig.Sysctls = { 'kernel.core_pattern': '|/bin/sh' }),
    /Sysctls is not allowed/,
  ],
  [
    'a tmpfs over /etc',
    (r) => (r.HostConfig.Tmpfs = { '/etc': 'rw,nosuid,nodev,size=1000' }),
    /Tmpfs on \/etc is not allowed/,
  ],
  [
    'a tmpfs without nosuid',
    (r) => (r.HostConfig.Tmpfs = { '/tmp': 'rw,size=1000' }),
    /must be nosuid,nodev/,
  ],
  [
    'an unbounded tmpfs',
    (r) => (r.HostConfig.Tmpfs = { '/tmp': 'rw,nosuid,nodev' }),
    /needs size=/,
  ],
  [
    'OOM killer disabled',
    (r) => (r.HostConfig.OomKillDisable = true),
    /OomKillDisable is not allowed/,
  ],
  [
    'published ports',
    (r) => (r.HostConfig.PortBindings = { '22/tcp': [{ HostPort: '22' }] }),
    /PortBindings is not allowed/,
  ],
  [
    'volumes from another container',
    (r) => (r.HostConfig.VolumesFrom = ['db']),
    /VolumesFrom is not allowed/,
  ],
  ['a cgroup parent', (r) => (r.HostConfig.CgroupParent = '/'), /CgroupParent is not allowed/],
  ['an unknown top-level field', (r) => (r.Volumes = { '/data': {} }), /Volumes is not allowed/],
  ['a TTY', (r) => (r.Tty = true), /Tty must be false/],
  [
    'a second size= on a tmpfs (the kernel takes the last)',
    (r) => (r.HostConfig.Tmpfs = { '/tmp': 'rw,nosuid,nodev,size=1,size=99999999999' }),
    /repeats an option/,
  ],
  [
    'an allowed source bound over /etc',
    (r) => (r.HostConfig.Binds = [`${caps.allowedReadOnlyBinds[0]}:/etc:ro`]),
    /bind target \/etc is not allowed/,
  ],
  [
    'huge ulimits',
    (r) => (r.HostConfig.Ulimits = [{ Name: 'nofile', Soft: 2 ** 40, Hard: 2 ** 40 }]),
    /Ulimits nofile must be/,
  ],
  [
    'more processes by ulimit than the pids cap',
    (r) => (r.HostConfig.Ulimits = [{ Name: 'nproc', Soft: 100, Hard: 100_000 }]),
    /Ulimits nproc must be/,
  ],
  [
    'core dumps',
    (r) => (r.HostConfig.Ulimits = [{ Name: 'core', Soft: 0, Hard: 2 ** 30 }]),
    /Ulimits core must be/,
  ],
  ['an image with options in it', (r) => (r.Image = '--privileged'), /Image must be/],
  ['an image with upper case', (r) => (r.Image = 'Debian:bookworm'), /Image must be/],
  ['an image with a path escape', (r) => (r.Image = '../../etc/passwd'), /Image must be/],
  [
    'output kept on the host by json-file',
    (r) => (r.HostConfig.LogConfig = { Type: 'json-file' }),
    /LogConfig must be exactly/,
  ],
  [
    'a logging driver option',
    (r) => (r.HostConfig.LogConfig = { Type: 'none', Config: { 'max-size': '1g' } }),
    /LogConfig must be exactly/,
  ],
  ['the default logging driver', (r) => delete r.HostConfig.LogConfig, /LogConfig is required/],
];

describe('container create guard', () => {
  it('accepts the hardened request Cronium builds', () => {
    expect(() => guardCreateRequest(valid(), caps)).not.toThrow();
  });

  it.each([
    'debian:bookworm-slim',
    'cronium/runner-python:1.2',
    'registry.example.com:5000/team/app_x:v1.0-rc.1',
    'localhost/x@sha256:' + 'a'.repeat(64),
  ])('accepts the image reference %s', (image) => {
    const request = valid();
    request.Image = image;
    expect(() => guardCreateRequest(request, caps)).not.toThrow();
  });

  it('accepts ulimits within the caps', () => {
    const request = valid();
    request.HostConfig.Ulimits = [
      { Name: 'nofile', Soft: 1024, Hard: 4096 },
      { Name: 'core', Soft: 0, Hard: 0 },
    ];
    expect(() => guardCreateRequest(request, caps)).not.toThrow();
  });

  it('accepts an administrator-allowed network', () => {
    const request = valid();
    request.HostConfig.NetworkMode = 'cronium-egress';
    request.NetworkDisabled = false;
    expect(() => guardCreateRequest(request, caps)).not.toThrow();
  });

  it(`refuses ${MALICIOUS.length} malicious requests`, () => {
    expect(MALICIOUS.length).toBeGreaterThanOrEqual(25);
  });

  it.each(MALICIOUS)('refuses %s', (_name, mutate, expected) => {
    const request = valid();
    mutate(request);
    let error: unknown;
    try {
      guardCreateRequest(request, caps);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CreateRequestRefused);
    expect((error as CreateRequestRefused).message).toMatch(expected);
  });
});
