export * from './health.ts';
export * from './problem.ts';
export * from './domain.ts';
export * from './live-logs.ts';
export * from './http-secrets.ts';
export * from './run-context.ts';
