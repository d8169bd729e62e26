export { AppError, statusForCode, type FieldProblem } from './app-error.ts';
export {
  registerProblemHandler,
  sendProblem,
  problemBody,
  PROBLEM_CONTENT_TYPE,
} from './problem-handler.ts';
export {
  registerHealthRoutes,
  type ReadinessCheck,
  type HealthRoutesOptions,
} from './health-routes.ts';
export { createHttpService, type HttpService, type HttpServiceOptions } from './http-service.ts';
export { onShutdownSignal } from './shutdown-signals.ts';
export {
  env,
  parseEnv,
  describeEnv,
  ConfigError,
  type EnvSpec,
  type EnvField,
  type ParsedEnv,
} from './env-schema.ts';
export { isPlaceholder } from './placeholders.ts';
export {
  ensureEmbeddedSecrets,
  SECRETS_FILE_NAME,
  type EmbeddedSecrets,
} from './embedded-secrets.ts';
export {
  baseEnvSpec,
  loadServiceConfig,
  embeddedDatabaseUrl,
  embeddedAppPassword,
  EMBEDDED_APP_ROLE,
  type BaseConfig,
  type SecretName,
} from './base-config.ts';
export { secretBoxFromConfig } from './secret-box-config.ts';
export { processKeys, type ProcessKey } from './process-keys.ts';
export {
  createServiceProcess,
  type ServiceDeps,
  type ServiceProcessOptions,
} from './service-process.ts';
export { runMain, EXIT_CONFIG, type StartedProcess } from './run-main.ts';
export { defaultDataDir, defaultRuntimeApiSocket } from './default-data-dir.ts';
export { reportStartupFailure, STARTUP_FAILURE_FILE_VARIABLE } from './startup-failure.ts';
export {
  DEFAULT_HOST,
  SERVICE_ADDRESSES,
  localServiceUrl,
  readyUrls,
  type ServiceAddress,
} from './service-addresses.js';
export { serviceHostEnv, servicePortEnv } from './service-address-env.ts';
export { publicOriginEnvSpec } from './public-origin-env.ts';
export {
  fromOwnPage,
  publicOrigin,
  sessionCookieOf,
  SECURE_SESSION_COOKIE,
  SESSION_COOKIE,
  type PublicOrigin,
} from './public-origin.ts';
export { jsonProblem, MAX_JSON_DEPTH } from './json-checks.ts';
export { createProcessMetrics, observePool, type ProcessMetrics } from './metrics.ts';
