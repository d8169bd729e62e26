// The policy decision with a stubbed resolver: no test here sends a packet anywhere.
import { DestinationNotAllowed, EgressPolicy, type Resolver } from './egress-policy.ts';
import { egressSettings } from './egress-settings.ts';
import { checkedLookup } from './checked-lookup.ts';

const user = { admin: false };
const admin = { admin: true };

function policy(
  names: Record<string, string[] | (() => string[])> = {},
  raw: { allow?: string; allowMetadata?: string } = {},
) {
  const lookups: string[] = [];
  const resolver: Resolver = async (host) => {
    lookups.push(host);
    const entry = names[host];
    const addresses = typeof entry === 'function' ? entry() : entry;
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  const settings = egressSettings(raw);
  if (!settings.ok) throw new Error(settings.problems.join('; '));
  return { policy: new EgressPolicy(settings.settings, resolver), lookups };
}

async function refusal(promise: Promise<unknown>): Promise<DestinationNotAllowed> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DestinationNotAllowed);
  return error as DestinationNotAllowed;
}

describe('EgressPolicy', () => {
  it('refuses cloud metadata endpoints to everyone, admins too', async () => {
    const { policy: p } = policy({ 'metadata.google.internal': ['169.254.169.254'] });
    for (const subject of [user, admin]) {
      const direct = await refusal(p.resolve('169.254.169.254', 80, subject));
      expect(direct.message).toBe(
        'destination not allowed: 169.254.169.254 (169.254.169.254, cloud metadata endpoint (AWS, GCP, Azure, OpenStack, Oracle); refused for everyone)',
      );
      await refusal(p.resolve('[fd00:ec2::254]', 80, subject));
      await refusal(p.resolve('100.100.100.200', 80, subject));
      await refusal(p.resolve('169.254.170.2', 80, subject));
      await refusal(p.resolve('[::ffff:169.254.169.254]', 80, subject));
      await refusal(p.resolve('[64:ff9b::a9fe:a9fe]', 80, subject));
      expect((await refusal(p.resolve('Metadata.Google.Internal.', 80, subject))).reason).toMatch(
        /metadata/,
      );
    }
  });

  it('allows a metadata endpoint named in EGRESS_ALLOW_METADATA, as an internal address', async () => {
    const { policy: p } = policy({}, { allowMetadata: '169.254.169.254' });
    await expect(p.resolve('169.254.169.254', 80, admin)).resolves.toEqual({
      address: '169.254.169.254',
      family: 4,
    });
    await refusal(p.resolve('169.254.169.254', 80, user));
    await refusal(p.resolve('169.254.170.2', 80, admin));
    expect(egressSettings({ allowMetadata: '169.254.0.0/16' })).toMatchObject({ ok: false });
  });

  it('refuses a host name that resolves to a private address to users, and allows it to admins', async () => {
    const { policy: p } = policy({ 'intranet.example': ['10.0.0.1'] });
    const error = await refusal(p.resolve('intranet.example', 443, user));
    expect(error.message).toBe(
      'destination not allowed: intranet.example (10.0.0.1, private range 10.0.0.0/8; only admins, unless EGRESS_ALLOW lists it)',
    );
    await expect(p.resolve('intranet.example', 443, admin)).resolves.toEqual({
      address: '10.0.0.1',
      family: 4,
    });
  });

  it('judges IPv4-mapped, NAT64, 6to4 and other encodings by the address they carry', async () => {
    const { policy: p } = policy();
    const cases: [string, RegExp][] = [
      ['[::ffff:127.0.0.1]', /IPv4-mapped 127.0.0.1: loopback/],
      ['[::ffff:7f00:1]', /IPv4-mapped 127.0.0.1: loopback/],
      ['[::127.0.0.1]', /IPv4-compatible 127.0.0.1: loopback/],
      ['[64:ff9b::10.1.2.3]', /NAT64 10.1.2.3: private/],
      ['[2002:c0a8:0101::1]', /6to4 192.168.1.1: private/],
      ['0.0.0.0', /this network/],
      ['[::]', /unspecified/],
      ['[::1]', /loopback/],
      ['127.1.2.3', /loopback/],
      ['100.64.0.1', /CGNAT/],
      ['172.31.255.255', /private range 172.16.0.0\/12/],
      ['[fe80::1]', /link-local/],
      ['[fd12:3456::1]', /unique local/],
      ['224.0.0.1', /multicast/],
      ['255.255.255.255', /reserved/],
    ];
    for (const [host, reason] of cases) {
      const error = await refusal(p.resolve(host, 80, user));
      expect(error.reason).toMatch(reason);
      await expect(p.resolve(host, 80, admin)).resolves.toBeDefined();
    }
    // What WHATWG URL makes of decimal, octal and hex IPv4 forms is judged as an address.
    for (const url of [
      'http://2130706433/',
      'http://0177.0.0.1/',
      'http://0x7f.1/',
      'http://127.1/',
    ])
      expect((await refusal(p.resolve(new URL(url).hostname, 80, user))).address).toBe('127.0.0.1');
  });

  it('allows public addresses to everyone', async () => {
    const { policy: p } = policy({
      'example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    });
    await expect(p.resolve('example.com', 443, user)).resolves.toEqual({
      address: '93.184.215.14',
      family: 4,
    });
    await expect(
      p.resolve('[2606:2800:21f:cb07:6820:80da:af6b:8b2c]', 443, user),
    ).resolves.toBeDefined();
    await expect(p.resolve('[::ffff:8.8.8.8]', 443, user)).resolves.toBeDefined();
  });

  it('refuses a name when any of its addresses is refused', async () => {
    const { policy: p } = policy({ 'mixed.example': ['93.184.215.14', '127.0.0.1'] });
    expect((await refusal(p.resolve('mixed.example', 80, user))).address).toBe('127.0.0.1');
  });

  it('checks every lookup: a name that rebinds from public to private is refused on the next connection', async () => {
    let answers = 0;
    const { policy: p, lookups } = policy({
      'rebind.example': () => (answers++ === 0 ? ['93.184.215.14'] : ['10.0.0.1']),
    });
    const refused: DestinationNotAllowed[] = [];
    const check = checkedLookup(p, user, (r) => {
      refused.push(r);
    });
    // The connector connects to the returned address, never to a second lookup of its own.
    await expect(check('rebind.example', 80)).resolves.toEqual({
      address: '93.184.215.14',
      family: 4,
    });
    const second = await refusal(check('rebind.example', 80));
    expect(second.address).toBe('10.0.0.1');
    expect(refused).toEqual([second]);
    expect(lookups).toEqual(['rebind.example', 'rebind.example']);
  });

  it('lets users reach what EGRESS_ALLOW lists: ranges, names, suffixes, ports', async () => {
    const { policy: p } = policy(
      {
        'git.internal': ['10.9.0.5'],
        'ci.corp.example': ['192.168.7.7'],
        'other.internal': ['10.9.0.6'],
      },
      { allow: '10.1.0.0/16, git.internal, *.corp.example, 127.0.0.1:8080, [fd00::/8]:443' },
    );
    await expect(p.resolve('10.1.200.3', 22, user)).resolves.toBeDefined();
    await expect(p.resolve('git.internal', 22, user)).resolves.toBeDefined();
    await expect(p.resolve('ci.corp.example', 22, user)).resolves.toBeDefined();
    await expect(p.resolve('127.0.0.1', 8080, user)).resolves.toBeDefined();
    await expect(p.resolve('[fd00::1]', 443, user)).resolves.toBeDefined();
    await refusal(p.resolve('127.0.0.1', 8081, user));
    await refusal(p.resolve('[fd00::1]', 80, user));
    await refusal(p.resolve('other.internal', 22, user));
    await refusal(p.resolve('10.2.0.1', 22, user));
    // A listed range does not open a metadata endpoint inside it.
    const wide = policy({}, { allow: '169.254.0.0/16' }).policy;
    await refusal(wide.resolve('169.254.169.254', 80, user));
  });

  it('reports invalid settings entries', () => {
    expect(egressSettings({ allow: '10.0.0.0/33,bad host,ok.example:99999' })).toEqual({
      ok: false,
      problems: [
        'EGRESS_ALLOW: not an address, range or host: 10.0.0.0/33, bad host, ok.example:99999',
      ],
    });
    expect(egressSettings({ allow: ' ', allowMetadata: '' })).toMatchObject({ ok: true });
  });
});
