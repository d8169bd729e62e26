/**
 * The OpenAPI operationId of an operation, derived from its method and path so that it stays
 * the same as long as the operation does (generated clients name their functions after it):
 * GET /api/v1/events/{id}/runs -> getEventsByIdRuns, POST /api/v1/servers/{id}/host-key/scan
 * -> postServersByIdHostKeyScan, GET /api/v1/openapi.json -> getOpenapiJson.
 */
export function operationId(method: string, path: string): string {
  const words = path
    .replace(/^\/api\/v1\/?/, '')
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment)?.[1];
      return parameter ? `By${pascal(parameter)}` : pascal(segment);
    });
  return method.toLowerCase() + words.join('');
}

function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
}
