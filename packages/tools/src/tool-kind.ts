import { TOOL_KINDS, type ToolKind } from '@cronium/contracts';

/**
 * The tools an action can use, named once in @cronium/contracts (`TOOL_KINDS`, `ToolKind`).
 * A new tool is a kind there, a sender file here, and a line in tool-senders.ts.
 */
export { TOOL_KINDS, ToolKind } from '@cronium/contracts';

export function isToolKind(value: unknown): value is ToolKind {
  return typeof value === 'string' && (TOOL_KINDS as readonly string[]).includes(value);
}
