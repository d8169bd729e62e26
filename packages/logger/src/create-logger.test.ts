import { PassThrough } from 'node:stream';
import { createLogger } from './create-logger.ts';

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
      lines.push(JSON.parse(line));
  });
  return { stream, lines };
}

describe('createLogger', () => {
  it('writes JSON with the service name and redacts secrets', async () => {
    const { stream, lines } = capture();
    const logger = createLogger({ service: 'test', destination: stream, pretty: false });
    logger.info(
      { password: 'hunter2', nested: { token: 'abc' }, config: { jwtSecret: 'x' } },
      'hello',
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line.service).toBe('test');
    expect(line.msg).toBe('hello');
    expect(line.password).toBe('[redacted]');
    expect((line.nested as Record<string, unknown>).token).toBe('[redacted]');
    expect((line.config as Record<string, unknown>).jwtSecret).toBe('[redacted]');
    expect(JSON.stringify(line)).not.toContain('hunter2');
  });
});
