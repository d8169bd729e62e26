import { validateToolCredential, validateToolParams } from './validate-tool-input.ts';

const pointers = (result: { ok: boolean; errors?: { pointer: string }[] }) =>
  result.ok ? [] : [...new Set(result.errors!.map((e) => e.pointer))];

describe('validateToolCredential', () => {
  it('accepts a valid credential of each kind', () => {
    const valid = {
      email: {
        host: 'smtp.example.com',
        port: 587,
        tls: 'starttls',
        username: 'u',
        password: 'p',
        from: 'Cronium <cron@example.com>',
      },
      slack: { webhookUrl: 'https://hooks.slack.com/services/T/B/X' },
      discord: { webhookUrl: 'https://discord.com/api/webhooks/1/abc' },
      teams: {
        webhookUrl:
          'https://prod-00.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=y',
      },
      webhook: {
        url: 'http://receiver.example:8080/hook',
        method: 'POST',
        headers: { 'X-Key': 'v' },
        signingSecret: '0123456789abcdef',
      },
    } as const;
    for (const [kind, credential] of Object.entries(valid))
      expect(validateToolCredential(kind as keyof typeof valid, credential)).toEqual({
        ok: true,
        value: credential,
      });
    expect(validateToolCredential('slack', { botToken: 'xoxb-1-2-abc', channel: 'C0123' }).ok).toBe(
      true,
    );
  });

  it('points at each bad SMTP field, under the prefix the caller gives', () => {
    const result = validateToolCredential(
      'email',
      { host: 'smtp.example.com', port: 70000, tls: 'ssl', from: 'nobody', extra: 1 },
      { pointerPrefix: '/smtp' },
    );
    expect(pointers(result)).toEqual(
      expect.arrayContaining(['/smtp/port', '/smtp/tls', '/smtp/from', '/smtp/extra']),
    );
    expect(
      pointers(
        validateToolCredential('email', {
          host: 'h',
          port: 25,
          tls: 'none',
          from: 'a@b',
          password: 'p',
        }),
      ),
    ).toEqual(['/username']);
  });

  it('takes http(s) URLs only, without userinfo', () => {
    expect(
      pointers(validateToolCredential('discord', { webhookUrl: 'ftp://example.com/x' })),
    ).toEqual(['/webhookUrl']);
    expect(
      pointers(validateToolCredential('teams', { webhookUrl: 'javascript:alert(1)' })),
    ).toEqual(['/webhookUrl']);
    expect(
      pointers(
        validateToolCredential('webhook', { url: 'https://user:pw@example.com/', method: 'POST' }),
      ),
    ).toEqual(['/url']);
    expect(
      pointers(validateToolCredential('webhook', { url: 'https://example.com/', method: 'GET' })),
    ).toEqual(['/method']);
  });

  it('judges a Slack credential against the shape it is trying to be', () => {
    expect(pointers(validateToolCredential('slack', { botToken: 'not-a-token' }))).toEqual(
      expect.arrayContaining(['/botToken', '/channel']),
    );
    expect(pointers(validateToolCredential('slack', { webhookUrl: 'nope' }))).toEqual([
      '/webhookUrl',
    ]);
    expect(validateToolCredential('slack', null).ok).toBe(false);
  });

  it('refuses headers Cronium sets and header values with a line break', () => {
    const result = validateToolCredential('webhook', {
      url: 'https://example.com/',
      method: 'POST',
      headers: { 'X-Cronium-Signature': 'x', Host: 'evil' },
    });
    expect(pointers(result)).toEqual(['/headers/X-Cronium-Signature', '/headers/Host']);
    expect(
      pointers(
        validateToolCredential('webhook', {
          url: 'https://example.com/',
          method: 'POST',
          headers: { 'X-A': 'a\r\nX-B: b' },
        }),
      ),
    ).toEqual(['/headers/X-A']);
  });
});

describe('an unknown kind', () => {
  it('is a field error, not a crash', () => {
    const kind = 'fax' as 'email';
    expect(validateToolCredential(kind, {})).toEqual({
      ok: false,
      errors: [{ pointer: '', message: 'unknown tool kind "fax"' }],
    });
    expect(validateToolParams(kind, {}).ok).toBe(false);
  });
});

describe('validateToolParams', () => {
  it('checks email params: recipients, subject, a body', () => {
    expect(validateToolParams('email', { to: ['a@b.c'], subject: 's', text: 't' }).ok).toBe(true);
    expect(pointers(validateToolParams('email', { to: [], subject: '' }))).toEqual(
      expect.arrayContaining(['/to', '/subject']),
    );
    expect(
      pointers(
        validateToolParams('email', { to: Array(51).fill('a@b.c'), subject: 's', text: 't' }),
      ),
    ).toEqual(['/to']);
    expect(pointers(validateToolParams('email', { to: ['a@b.c'], subject: 's' }))).toEqual([
      '/text',
    ]);
  });

  it('reports a template error at the field, with line and column', () => {
    const result = validateToolParams('email', {
      to: ['a@b.c', '{{ variables.oncall'],
      subject: 's',
      html: '<p>\n{% if run.status %}</p>',
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        { pointer: '/to/1', message: expect.stringMatching(/not closed.*\(line 1, column 1\)$/) },
        { pointer: '/html', message: 'tag {% if run.status %} not closed (line 2, column 1)' },
      ],
    });
  });

  it('refuses unknown properties and bad content types', () => {
    expect(pointers(validateToolParams('slack', { text: 'x', icon: ':+1:' }))).toEqual(['/icon']);
    expect(pointers(validateToolParams('webhook', { contentType: 'json\r\nX: y' }))).toEqual([
      '/contentType',
    ]);
    expect(pointers(validateToolParams('discord', { username: 'x' }))).toEqual(['/content']);
    expect(validateToolParams('teams', { title: 'T', text: '{{ run.status }}' }).ok).toBe(true);
  });
});
