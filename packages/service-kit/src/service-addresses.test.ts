import { parseEnv } from './env-schema.ts';
import { serviceHostEnv, servicePortEnv } from './service-address-env.ts';
import { SERVICE_ADDRESSES, localServiceUrl, readyUrls } from './service-addresses.js';

const { web, orchestrator, runtimeApi, ws } = SERVICE_ADDRESSES;

describe('service addresses', () => {
  it('give the URLs the launcher and the health check wait for, by default', () => {
    expect(readyUrls({})).toEqual([
      'http://127.0.0.1:3000/ready',
      'http://127.0.0.1:3003/ready',
      'http://127.0.0.1:3001/ready',
      'http://127.0.0.1:3002/ready',
    ]);
  });

  it('read the variables the way the schemas do: blank is unset, 0.0.0.0 is reached on loopback', () => {
    const env = { WEB_HOST: '0.0.0.0', WEB_PORT: ' 8080 ', WS_HOST: ' ', WS_PORT: '' };
    expect(localServiceUrl(web, env)).toBe('http://127.0.0.1:8080');
    expect(localServiceUrl(ws, env)).toBe('http://127.0.0.1:3002');
    expect(localServiceUrl(orchestrator, { ORCHESTRATOR_HOST: '10.0.0.5' })).toBe(
      'http://10.0.0.5:3003',
    );
    // Its parsed value is what the process listens on, and what the URL names.
    const spec = { ...serviceHostEnv(web, 'address'), ...servicePortEnv(web, 'port') };
    expect(parseEnv(spec, env)).toEqual({ WEB_HOST: '0.0.0.0', WEB_PORT: 8080 });
  });

  it('make schema fields named and defaulted by the address', () => {
    const spec = {
      ...serviceHostEnv(runtimeApi, 'where the runtime API listens'),
      ...servicePortEnv(runtimeApi, "the runtime API's port"),
    };
    expect(Object.keys(spec)).toEqual(['RUNTIME_API_HOST', 'RUNTIME_API_PORT']);
    expect(parseEnv(spec, {})).toEqual({ RUNTIME_API_HOST: '127.0.0.1', RUNTIME_API_PORT: 3001 });
    expect(() => parseEnv(spec, { RUNTIME_API_PORT: '0' })).toThrow(
      'RUNTIME_API_PORT is invalid: expected an integer from 1 to 65535, got "0"',
    );
  });
});
