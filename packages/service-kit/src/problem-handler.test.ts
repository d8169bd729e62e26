import Fastify from 'fastify';
import { Type } from '@sinclair/typebox';
import { AppError } from './app-error.ts';
import { registerProblemHandler } from './problem-handler.ts';

function buildApp() {
  const logged: unknown[] = [];
  const app = Fastify({
    bodyLimit: 64,
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: false } },
  });
  app.log.error = ((obj: unknown) => logged.push(obj)) as typeof app.log.error;
  registerProblemHandler(app);
  app.get('/missing', async () => {
    throw new AppError('NOT_FOUND', 'event 7 not found');
  });
  app.get('/limited', async () => {
    throw new AppError('RATE_LIMITED', 'slow down', { headers: { 'retry-after': '3' } });
  });
  app.get('/crash', async () => {
    throw new Error('connection string postgres://secret@db leaked');
  });
  app.post(
    '/things',
    {
      schema: {
        body: Type.Object(
          { name: Type.String(), size: Type.Integer() },
          { additionalProperties: false },
        ),
      },
    },
    async () => ({ ok: true }),
  );
  return { app, logged };
}

describe('problem+json error handler', () => {
  it('maps AppError to its status with RFC 9457 fields', async () => {
    const res = await buildApp().app.inject('/missing');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toEqual({
      type: 'https://cronium.dev/errors/not-found',
      title: 'Not Found',
      status: 404,
      code: 'NOT_FOUND',
      detail: 'event 7 not found',
      instance: '/missing',
    });
  });

  it('passes headers such as Retry-After', async () => {
    const res = await buildApp().app.inject('/limited');
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('3');
  });

  it('hides the details of unexpected errors and logs them', async () => {
    const { app, logged } = buildApp();
    const res = await app.inject('/crash');
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret');
    expect(res.json()).toMatchObject({ code: 'INTERNAL', status: 500 });
    expect(logged).toHaveLength(1);
  });

  it('answers validation failures with field pointers', async () => {
    const res = await buildApp().app.inject({
      method: 'POST',
      url: '/things',
      payload: { name: 1, extra: true },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    const pointers = body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/body', '/body/name']));
    expect(body.errors).toHaveLength(3); // missing size, wrong type of name, unknown field
  });

  it('answers malformed JSON with 400, oversized bodies with 413 and unknown routes with 404', async () => {
    const { app } = buildApp();
    const malformed = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe('BAD_REQUEST');
    const big = await app.inject({
      method: 'POST',
      url: '/things',
      payload: { name: 'x'.repeat(200), size: 1 },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('PAYLOAD_TOO_LARGE');
    const unknown = await app.inject('/nope?x=1');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toBe('No route for GET /nope');
  });
});
