'use strict';
// The Cronium SDK for Node.js scripts: `const cronium = require('cronium')` or
// `import cronium from 'cronium'`. Calls the runtime API named by CRONIUM_API_URL
// (http(s)://... or unix:///path) with the run's token from CRONIUM_RUN_TOKEN.
// No dependencies: only node:http and node:https.
const http = require('node:http');
const https = require('node:https');

class CroniumError extends Error {
  constructor(message, status = null, code = null) {
    super(message);
    this.name = 'CroniumError';
    this.status = status;
    this.code = code;
  }
}

const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);
const TRANSIENT_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOENT',
  'EAI_AGAIN',
]);
const ATTEMPTS = 8;
// Connections are kept between calls (a script that calls in a loop pays the connect once);
// idle ones do not keep the script alive.
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 16 }),
};

function endpoint() {
  const raw = process.env.CRONIUM_API_URL;
  const token = process.env.CRONIUM_RUN_TOKEN;
  if (!raw || !token)
    throw new CroniumError(
      'CRONIUM_API_URL and CRONIUM_RUN_TOKEN are not set: is this script running under Cronium?',
    );
  if (raw.startsWith('unix://'))
    return {
      socketPath: raw.slice('unix://'.length),
      base: '',
      token,
      client: http,
      agent: agents.http,
    };
  const url = new URL(raw);
  return {
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port,
    base: url.pathname.replace(/\/$/, ''),
    token,
    client: url.protocol === 'https:' ? https : http,
    agent: url.protocol === 'https:' ? agents.https : agents.http,
  };
}

function once(method, path, body) {
  const target = endpoint();
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
  return new Promise((resolve, reject) => {
    const request = target.client.request(
      {
        method,
        ...(target.socketPath
          ? { socketPath: target.socketPath }
          : { hostname: target.hostname, port: target.port }),
        path: target.base + path,
        agent: target.agent,
        headers: {
          authorization: `Bearer ${target.token}`,
          accept: 'application/json',
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': payload.length }
            : {}),
        },
        timeout: 30_000,
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            json = null;
          }
          resolve({ status: response.statusCode, headers: response.headers, json, text });
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () =>
      request.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })),
    );
    request.on('error', reject);
    request.end(payload);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One API call with retries for transient failures (connection refused, 429, 502-504). */
async function call(method, path, body) {
  let lastError;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    let response;
    try {
      response = await once(method, path, body);
    } catch (error) {
      if (error instanceof CroniumError || !TRANSIENT_ERRORS.has(error.code))
        throw new CroniumError(`cannot reach the Cronium runtime API: ${error.message}`);
      lastError = new CroniumError(`cannot reach the Cronium runtime API: ${error.message}`);
      if (attempt < ATTEMPTS) await sleep(Math.min(100 * 2 ** (attempt - 1), 2_000));
      continue;
    }
    if (response.status >= 200 && response.status < 300) return response;
    const problem = response.json && typeof response.json === 'object' ? response.json : {};
    const error = new CroniumError(
      problem.detail || problem.title || `the runtime API answered ${response.status}`,
      response.status,
      problem.code || null,
    );
    if (!TRANSIENT_STATUS.has(response.status)) {
      if (response.status === 404 && method === 'GET' && path.startsWith('/v1/variables/'))
        return null;
      throw error;
    }
    lastError = error;
    if (attempt === ATTEMPTS) break;
    const retryAfter = Number(response.headers['retry-after']);
    await sleep(
      Number.isFinite(retryAfter) && retryAfter > 0
        ? Math.min(retryAfter * 1000, 10_000)
        : Math.min(100 * 2 ** (attempt - 1), 2_000),
    );
  }
  throw lastError;
}

function checkKey(key) {
  if (typeof key !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/.test(key))
    throw new CroniumError(
      `invalid variable name ${JSON.stringify(key)}: letters, digits, _ . - (up to 128), not starting with a digit`,
    );
  return encodeURIComponent(key);
}

const cronium = {
  CroniumError,
  /** The run's input (any JSON value, null when none). */
  async getInput() {
    return (await call('GET', '/v1/input')).json.input;
  },
  /** Sets the run's output (any JSON value). */
  async setOutput(value) {
    if (value === undefined) throw new CroniumError('setOutput needs a value (null to clear)');
    await call('PUT', '/v1/output', { output: value });
  },
  /** The user's variable as a string, or null when it does not exist. */
  async getVariable(key) {
    const response = await call('GET', `/v1/variables/${checkKey(key)}`);
    return response === null ? null : response.json.value;
  },
  /** Stores a variable; a value that is not a string is stored as its JSON text. */
  async setVariable(key, value) {
    if (value === undefined) throw new CroniumError('setVariable needs a value');
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    await call('PUT', `/v1/variables/${checkKey(key)}`, { value: text });
  },
  /** The run's condition (true, false, or null when not set). */
  async getCondition() {
    return (await call('GET', '/v1/condition')).json.condition;
  },
  /** Sets the run's condition, which workflow edges can follow. */
  async setCondition(condition) {
    if (typeof condition !== 'boolean') throw new CroniumError('setCondition needs true or false');
    await call('PUT', '/v1/condition', { condition });
  },
  /** The event, run, user, server (SSH) and workflow this script runs for. */
  async getEventContext() {
    return (await call('GET', '/v1/context')).json;
  },
  /**
   * Sends a tool action (email, Slack, Discord, Teams, webhook) with one of your tool
   * credentials, by name: `{ ok, status?, detail? }` or `{ ok: false, error, retryable, ... }`.
   */
  async executeToolAction(tool, params) {
    if (typeof tool !== 'string' || tool === '')
      throw new CroniumError('executeToolAction needs the name of one of your tool credentials');
    if (params === null || typeof params !== 'object' || Array.isArray(params))
      throw new CroniumError('executeToolAction needs the params as an object');
    return (await call('POST', '/v1/tool-actions', { tool, params })).json;
  },
};

module.exports = cronium;
module.exports.default = cronium;
// Spelled out so `import { getInput } from 'cronium'` finds them (ES modules see a CommonJS
// module's names by reading assignments like these).
module.exports.getInput = cronium.getInput;
module.exports.setOutput = cronium.setOutput;
module.exports.getVariable = cronium.getVariable;
module.exports.setVariable = cronium.setVariable;
module.exports.getCondition = cronium.getCondition;
module.exports.setCondition = cronium.setCondition;
module.exports.getEventContext = cronium.getEventContext;
module.exports.executeToolAction = cronium.executeToolAction;
module.exports.CroniumError = CroniumError;
