// Path and query parameters of the public API: anything malformed is a 404 (an id that
// cannot exist) or a 400 naming the parameter.
import { AppError } from '@cronium/service-kit/errors';

export function idParam(value: string | undefined): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id < 1) throw new AppError('NOT_FOUND', 'no such resource');
  return id;
}

/** An optional integer query parameter; anything else is a 400 with its name. */
export function intQuery(query: URLSearchParams, name: string, min = 0): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min)
    throw new AppError(
      'VALIDATION_FAILED',
      `query parameter ${name} must be an integer >= ${min}`,
      {
        errors: [{ pointer: `/query/${name}`, message: `an integer >= ${min}` }],
      },
    );
  return value;
}

export function dateQuery(query: URLSearchParams, name: string): Date | undefined {
  const raw = query.get(name);
  if (!raw) return undefined;
  const value = new Date(raw);
  if (Number.isNaN(value.getTime()))
    throw new AppError('VALIDATION_FAILED', `query parameter ${name} must be an ISO 8601 time`, {
      errors: [{ pointer: `/query/${name}`, message: 'an ISO 8601 time' }],
    });
  return value;
}
