import type { FastifyInstance } from 'fastify';
import { HealthResponse, type CheckResult, type HealthStatus } from '@cronium/contracts';

/**
 * A readiness check: resolves with its result; a throw counts as unhealthy. `cause` is logged
 * and never answered (details of the infrastructure are not for anyone who can reach /ready).
 */
export type ReadinessCheck = () => Promise<CheckResult & { cause?: string }>;

export interface HealthRoutesOptions {
  service: string;
  version: string;
  checks: Record<string, ReadinessCheck>;
  /** True once shutdown began: readiness answers 503 so load balancers stop sending work. */
  isShuttingDown: () => boolean;
  checkTimeoutMs?: number;
}

function worst(statuses: HealthStatus[]): HealthStatus {
  if (statuses.includes('unhealthy')) return 'unhealthy';
  if (statuses.includes('degraded')) return 'degraded';
  return 'healthy';
}

async function runCheck(
  check: ReadinessCheck,
  timeoutMs: number,
): Promise<CheckResult & { cause?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<CheckResult & { cause?: string }>((resolve) => {
      timer = setTimeout(
        () => resolve({ status: 'unhealthy', message: `timed out after ${timeoutMs} ms` }),
        timeoutMs,
      );
    });
    const result = await Promise.race([check(), timeout]);
    return { ...result, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
  } catch (error) {
    return {
      status: 'unhealthy',
      message: 'the check failed',
      cause: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `GET /health`: the process is alive (always 200 while it can answer).
 * `GET /ready`: every dependency check passes; 503 when one is unhealthy or during shutdown.
 * Degraded dependencies (optional ones) still answer 200 with status "degraded".
 */
export function registerHealthRoutes(app: FastifyInstance, options: HealthRoutesOptions): void {
  const schema = { response: { 200: HealthResponse, 503: HealthResponse } };

  app.get('/health', { schema, logLevel: 'warn' }, async () => ({
    status: 'healthy' as const,
    version: options.version,
    service: options.service,
    details: {},
  }));

  app.get('/ready', { schema, logLevel: 'warn' }, async (request, reply) => {
    const entries = await Promise.all(
      Object.entries(options.checks).map(async ([name, check]) => {
        const { cause, ...result } = await runCheck(check, options.checkTimeoutMs ?? 2000);
        if (cause) request.log.warn({ check: name, cause }, 'readiness check failed');
        return [name, result] as const;
      }),
    );
    const details: Record<string, CheckResult> = Object.fromEntries(entries);
    if (options.isShuttingDown())
      details.shutdown = { status: 'unhealthy', message: 'shutting down' };
    const status = worst(Object.values(details).map((d) => d.status));
    return reply.status(status === 'unhealthy' ? 503 : 200).send({
      status,
      version: options.version,
      service: options.service,
      details,
    });
  });
}
