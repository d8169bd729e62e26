export {
  createLogger,
  DEFAULT_REDACT_PATHS,
  type CreateLoggerOptions,
  type Logger,
} from './create-logger.ts';
