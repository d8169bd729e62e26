// Path parameters of the public API: an id that cannot exist is a 404, as one that does not.
import { AppError } from '@cronium/service-kit/errors';

export function idParam(value: string | undefined): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id < 1) throw new AppError('NOT_FOUND', 'no such resource');
  return id;
}
