import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

function sendProblem(reply: FastifyReply, body: ProblemDetails, headers?: Record<string, string>) {
  if (headers) reply.headers(headers);
  return reply.status(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
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
 * One error handler for a Fastify app: AppError and Fastify's own errors become RFC 9457
 * problem+json; anything else is a 500 whose details are logged, never returned.
 */
export function registerProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, error.message);
      return sendProblem(
        reply,
        problemBody(
          error.status,
          error.code,
          error.status >= 500 ? undefined : error.message,
          request.url,
          error.errors,
        ),
        error.headers,
      );
    }
    const mapped = fromFastifyError(error);
    const status = mapped.code === 'INTERNAL' ? 500 : statusForCode(mapped.code);
    if (status >= 500) {
      request.log.error({ err: error }, 'unhandled error');
      return sendProblem(reply, problemBody(500, 'INTERNAL', undefined, request.url));
    }
    return sendProblem(
      reply,
      problemBody(status, mapped.code, error.message, request.url, mapped.errors),
    );
  });

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
    sendProblem(
      reply,
      problemBody(
        404,
        'NOT_FOUND',
        `No route for ${request.method} ${request.url.split('?')[0]}`,
        request.url,
      ),
    ),
  );
}
