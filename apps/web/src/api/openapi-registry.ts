import type { TSchema } from '@sinclair/typebox';

export interface Operation {
  method: string;
  /** OpenAPI path, e.g. /api/v1/tokens/{id}. */
  path: string;
  summary: string;
  tags: string[];
  requestBody?: TSchema;
  /** Status code to description and schema (for 2xx). */
  responses: Record<string, { description: string; schema?: TSchema }>;
  auth?: 'required' | 'none';
  scope?: string;
  /** A scope the route needs besides `scope` for some requests (the summary says when). */
  conditionalScope?: string;
}

const KEY = Symbol.for('cronium.web.openapi');

/**
 * Route handlers register their operations when their module loads; Next compiles each
 * route into its own bundle, so the registry lives on a process-wide symbol.
 */
function registry(): Map<string, Operation> {
  const global = globalThis as Record<symbol, Map<string, Operation> | undefined>;
  global[KEY] ??= new Map();
  return global[KEY];
}

export function registerOperation(operation: Operation): void {
  registry().set(`${operation.method} ${operation.path}`, operation);
}

export function registeredOperations(): Operation[] {
  return [...registry().values()];
}
