import type {
  FastifyBaseLogger,
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import type { ErrorCode, ProblemDetails } from '@cronium/contracts';
import { AppError, statusForCode, type FieldProblem } from './app-error.ts';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemBody(
  status: number,
  code: ErrorCode,
  detail: string | undefined,
  instance: string,
  errors?: FieldProblem[],
): ProblemDetails {
  return {
    type: `https://cronium.dev/errors/${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    instance,
    ...(detail ? { detail } : {}),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** Maps Fastify's own error codes onto Cronium's. */
function fromFastifyError(error: FastifyError): { code: ErrorCode; errors?: FieldProblem[] } {
  if (error.validation) {
    return {
      code: 'VALIDATION_FAILED',
      errors: error.validation.map((v) => ({
        pointer: `/${error.validationContext ?? 'body'}${v.instancePath}`,
        message: v.message ?? 'is invalid',
      })),
    };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'PAYLOAD_TOO_LARGE' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'UNSUPPORTED_MEDIA_TYPE' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { code: 'BAD_REQUEST' };
    default:
      break;
  }
  if (error.statusCode === 400) return { code: 'BAD_REQUEST' };
  if (error.statusCode === 429) return { code: 'RATE_LIMITED' };
  return { code: 'INTERNAL' };
}

/**
 * Answers an error as RFC 9457 problem+json: an AppError or one of Fastify's own errors as
 * itself, anything else as a 500 whose details are logged, never returned.
 */
export function sendProblem(
  reply: FastifyReply,
  error: unknown,
  instance: string,
  log: FastifyBaseLogger,
) {
  let body: ProblemDetails;
  if (error instanceof AppError) {
    if (error.status >= 500) log.error({ err: error }, error.message);
    if (error.headers) reply.headers(error.headers);
    const detail = error.status >= 500 ? undefined : error.message;
    body = problemBody(error.status, error.code, detail, instance, error.errors);
  } else {
    const fastifyError = error as FastifyError;
    const mapped = fromFastifyError(fastifyError);
    const status = mapped.code === 'INTERNAL' ? 500 : statusForCode(mapped.code);
    if (status >= 500) {
      log.error({ err: error }, 'unhandled error');
      body = problemBody(500, 'INTERNAL', undefined, instance);
    } else body = problemBody(status, mapped.code, fastifyError.message, instance, mapped.errors);
  }
  // As bytes: Fastify would add `; charset=utf-8` to a JSON media type (JSON is UTF-8 anyway).
  return reply
    .status(body.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(Buffer.from(JSON.stringify(body)));
}

/** One error handler for a Fastify app: every error as problem+json (`sendProblem`). */
export function registerProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
    sendProblem(reply, error, request.url, request.log),
  );

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
    sendProblem(
      reply,
      new AppError('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`),
      request.url,
      request.log,
    ),
  );
}
