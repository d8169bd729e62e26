import { Type, type Static } from '@sinclair/typebox';

export const HealthStatus = Type.Union([
  Type.Literal('healthy'),
  Type.Literal('degraded'),
  Type.Literal('unhealthy'),
]);
export type HealthStatus = Static<typeof HealthStatus>;

export const CheckResult = Type.Object({
  status: HealthStatus,
  message: Type.Optional(Type.String()),
  latencyMs: Type.Optional(Type.Number()),
});
export type CheckResult = Static<typeof CheckResult>;

/** The body of every process's `GET /health` and `GET /ready`. */
export const HealthResponse = Type.Object({
  status: HealthStatus,
  version: Type.String(),
  service: Type.String(),
  details: Type.Record(Type.String(), CheckResult),
});
export type HealthResponse = Static<typeof HealthResponse>;
