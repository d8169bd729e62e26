import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export interface CreateLoggerOptions {
  /** The process name, attached to every line as `service`. */
  service: string;
  level?: string;
  /** Pretty output for humans; defaults to "stdout is a TTY". */
  pretty?: boolean;
  /** Extra object paths to redact, on top of the defaults. */
  redact?: string[];
  /** Where lines go; defaults to stdout. Tests pass a stream to read them back. */
  destination?: NodeJS.WritableStream;
}

/** Paths whose values never reach a log line, whatever object they sit in. */
export const DEFAULT_REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'databaseUrl',
  '*.databaseUrl',
  'database.url',
  '*.database.url',
  'config.base.database.url',
  'config.databaseUrl',
  'config.encryptionKey',
  'config.jwtSecret',
  'config.sessionSecret',
];

export function createLogger(options: CreateLoggerOptions): Logger {
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  const pinoOptions: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.service, pid: process.pid },
    redact: { paths: [...DEFAULT_REDACT_PATHS, ...(options.redact ?? [])], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.destination) return pino(pinoOptions, options.destination);
  if (pretty) {
    return pino({
      ...pinoOptions,
      transport: { target: 'pino-pretty', options: { colorize: true } },
    });
  }
  return pino(pinoOptions);
}
