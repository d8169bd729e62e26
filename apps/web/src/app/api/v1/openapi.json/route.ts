// GET /api/v1/openapi.json: the OpenAPI document of the public API.
import { openApiDocument } from '../../../../api/openapi-document.ts';
import { webDeps } from '../../../../server/web-deps.ts';

export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json(openApiDocument(webDeps().version));
}
