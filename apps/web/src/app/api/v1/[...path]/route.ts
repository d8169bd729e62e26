// Any other path under /api/v1: a problem+json 404 (not Next.js's HTML page).
import { AppError } from '@cronium/service-kit/errors';
import { problemResponse } from '../../../../api/api-route.ts';

export const dynamic = 'force-dynamic';

const notFound = async (request: Request) =>
  problemResponse(
    new AppError('NOT_FOUND', 'no such API path; see /api/v1/openapi.json'),
    new URL(request.url).pathname,
  );

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
