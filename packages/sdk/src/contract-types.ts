import { Kind, type TSchema } from '@sinclair/typebox';

/**
 * A TypeBox schema as a TypeScript type, in the style of the SDK's hand-kept declarations
 * (`files/node/cronium/index.d.ts`): the declarations ship as plain files into scripts'
 * containers and hosts, so they are not generated at run time, but a test keeps them equal to
 * the contracts they describe.
 */
export function typeScriptOf(schema: TSchema, indent = ''): string {
  if (schema.anyOf)
    return (schema.anyOf as TSchema[]).map((s) => typeScriptOf(s, indent)).join(' | ');
  if (schema.const !== undefined) return JSON.stringify(schema.const).replaceAll('"', "'");
  if (schema[Kind] === 'Unknown') return 'unknown';
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `${typeScriptOf(schema.items as TSchema, indent)}[]`;
    case 'object': {
      const inner = `${indent}  `;
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const fields = Object.entries(schema.properties as Record<string, TSchema>).map(
        ([name, property]) =>
          `${inner}${name}${required.has(name) ? '' : '?'}: ${typeScriptOf(property, inner)};`,
      );
      return `{\n${fields.join('\n')}\n${indent}}`;
    }
    default:
      throw new Error(`no TypeScript rendering for ${JSON.stringify(schema)}`);
  }
}
