import { createHmac } from 'node:crypto';
import { checkSignature, checkSignatureHeaders } from './webhook-auth.ts';
import { checkedInputHeaders, chosenHeaders, parseWebhookBody } from './webhook-input.ts';
import { WebhookRateLimiter } from './webhook-rate-limit.ts';

describe('webhook requests as inputs', () => {
  it('parses each media type into what a script reads', () => {
    const parse = (body: string | Buffer, type?: string) =>
      parseWebhookBody(Buffer.from(body), type);
    expect(parse('{"a":[1]}', 'application/vnd.api+json; charset=utf-8')).toEqual({
      body: { a: [1] },
      bodyType: 'json',
    });
    expect(parse('x=1&x=2&y=%E2%9C%93', 'application/x-www-form-urlencoded')).toEqual({
      body: { x: ['1', '2'], y: '✓' },
      bodyType: 'form',
    });
    expect(parse('hello', undefined)).toEqual({ body: 'hello', bodyType: 'text' });
    expect(parse(Buffer.from([0xc3, 0x28]), 'text/plain')).toEqual({
      body: 'wyg=',
      bodyType: 'base64',
    });
    expect(parse('a\0b', 'text/plain')).toEqual({ body: 'YQBi', bodyType: 'base64' });
    expect(parse('', 'application/json')).toEqual({ body: null, bodyType: 'empty' });
    expect(parse('{', 'application/json')).toMatchObject({ kind: 'bad_body' });
    expect(parse('{"k":"\\u0000"}', 'application/json')).toMatchObject({
      kind: 'bad_body',
      pointer: '/body/k',
    });
    expect(parse('a=%00', 'application/x-www-form-urlencoded')).toMatchObject({
      kind: 'bad_body',
    });
    expect(parse('--b--', 'Multipart/Form-Data; boundary=b')).toMatchObject({
      kind: 'unsupported_type',
    });
  });

  it('copies only the chosen headers, and never credentials', () => {
    expect(checkedInputHeaders(['X-Event', 'x-event', ' Content-Type '])).toEqual([
      'x-event',
      'content-type',
    ]);
    expect(() => checkedInputHeaders(['x-ok', 'Cookie'])).toThrow(/credentials/);
    expect(() => checkedInputHeaders(['bad header'])).toThrow(/not an HTTP header name/);
    expect(
      chosenHeaders({ 'x-event': 'push', 'x-many': ['a', 'b'], 'x-other': 'no' }, [
        'x-event',
        'x-many',
        'x-missing',
      ]),
    ).toEqual({ 'x-event': 'push', 'x-many': 'a, b' });
  });

  it('checks a signature over the raw bytes with any of the secrets, and the window', () => {
    const now = 1_800_000_000_000;
    const ts = now / 1000;
    const body = Buffer.from('{"x": "é"}');
    const signed = (secret: string) =>
      // The test vector, computed with node:crypto as a sender would.
      `sha256=${createHmac('sha256', secret).update(`${ts}.`).update(body).digest('hex')}`;
    const headers = (signature: string, timestamp = String(ts)) => ({
      'x-cronium-timestamp': timestamp,
      'x-cronium-signature': signature,
    });
    expect(checkSignatureHeaders(headers('x'), 300, now)).toEqual({ timestamp: ts });
    expect(checkSignatureHeaders(headers('x', String(ts - 301)), 300, now)).toMatchObject({
      reason: 'stale_timestamp',
    });
    expect(checkSignatureHeaders(headers('x', '1e9'), 300, now)).toMatchObject({
      reason: 'bad_timestamp',
    });
    expect(checkSignatureHeaders({}, 300, now)).toMatchObject({ reason: 'unsigned' });
    expect(checkSignature(headers(signed('old')), ts, body, ['new', 'old'])).toEqual({
      signature: signed('old').slice(7),
    });
    // Hex is hex in either case.
    expect(checkSignature(headers(signed('old').toUpperCase()), ts, body, ['old'])).toEqual({
      signature: signed('old').slice(7),
    });
    expect(checkSignature(headers('sha256=abc'), ts, body, ['old'])).toMatchObject({
      reason: 'bad_signature',
    });
    expect(checkSignature(headers(signed('other')), ts, body, ['new', 'old'])).toMatchObject({
      reason: 'bad_signature',
    });
  });

  it('limits each hook to its own deliveries per window', () => {
    const limiter = new WebhookRateLimiter({ windowMs: 60_000 });
    expect([0, 1, 2].map((i) => limiter.reserve(1, 2, 1_000 + i))).toEqual([0, 0, 60]);
    expect(limiter.reserve(2, 2, 1_003)).toBe(0);
    expect(limiter.reserve(1, 2, 61_000)).toBe(0);
  });
});
