// A tool node in the editor: its params as the form changes them, and where the API's problems
// with it are shown.
import { toolParamsNotShown, toolParamsOf, type ToolKind } from '../forms/tool-params.ts';

/**
 * The params to keep after the form changed: the fields of the credential's kind, and the
 * stored params the form has no field for as long as the kind is the one they were made for
 * (a webhook's `contentType` means nothing to Slack, and the API would refuse it).
 */
export function toolNodeParams(change: {
  kind: ToolKind | undefined;
  text: Record<string, string>;
  stored: Record<string, unknown>;
  storedKind: ToolKind | undefined;
}): Record<string, unknown> {
  const kept =
    change.kind !== undefined && change.kind === change.storedKind
      ? toolParamsNotShown(change.storedKind, change.stored)
      : {};
  return { ...kept, ...toolParamsOf(change.kind, change.text) };
}

/**
 * The form's field an API problem is about, from its path under the node (`tool/credentialId`
 * is `credentialId`, `tool/params/to/1` is `params.to`); undefined: no single field's.
 */
export function toolFieldOf(field: string): string | undefined {
  if (field === 'tool/credentialId') return 'credentialId';
  const param = /^tool\/params\/([^/]+)/.exec(field);
  return param ? `params.${param[1]}` : undefined;
}
