import { Redis as Valkey } from 'iovalkey';
import type { RateLimiter } from './rate-limiter.ts';

/** The token bucket of rate-limiter.ts, kept in Valkey so every runtime API process shares it. */
const TAKE = `
local state = redis.call('HMGET', KEYS[1], 't', 'a')
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then tokens = burst; at = now end
tokens = math.min(burst, tokens + (now - at) / 1000 * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.max(1, math.ceil((1 - tokens) / rate)) end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'a', tostring(now))
redis.call('PEXPIRE', KEYS[1], 60000)
return wait`;

/**
 * Rate limits shared by all runtime API processes through Valkey. While Valkey is away,
 * calls are limited by this process's own buckets instead (never refused for Valkey's sake),
 * and `health()` says `degraded`.
 */
export class ValkeyRateLimiter {
  readonly #client: Valkey;
  readonly #fallback: RateLimiter;
  readonly #rate: number;
  readonly #burst: number;
  readonly #namespace: string;

  constructor(options: {
    url: string;
    namespace: string;
    ratePerSecond: number;
    burst: number;
    fallback: RateLimiter;
    onError?: (error: Error) => void;
  }) {
    this.#client = new Valkey(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (times: number) => Math.min(50 * 2 ** times, 2_000),
      connectionName: 'cronium-runtime-limits',
    });
    this.#client.on('error', (error: Error) => options.onError?.(error));
    this.#client.defineCommand('croniumTake', { numberOfKeys: 1, lua: TAKE });
    this.#fallback = options.fallback;
    this.#rate = options.ratePerSecond;
    this.#burst = options.burst;
    this.#namespace = options.namespace;
  }

  /** 0 when allowed, or the seconds to wait. */
  async take(key: string): Promise<number> {
    if (this.#client.status !== 'ready') return this.#fallback.take(key);
    try {
      const client = this.#client as unknown as {
        croniumTake(key: string, rate: number, burst: number): Promise<number>;
      };
      return Number(
        await client.croniumTake(`cronium:${this.#namespace}:rate:${key}`, this.#rate, this.#burst),
      );
    } catch {
      return this.#fallback.take(key);
    }
  }

  health(): 'ok' | 'degraded' {
    return this.#client.status === 'ready' ? 'ok' : 'degraded';
  }

  close(): void {
    this.#client.disconnect();
  }
}
