import { Type } from '@sinclair/typebox';

/** The tools an action can use. A new tool is a new sender file registered in tool-senders.ts. */
export const TOOL_KINDS = ['email', 'slack', 'discord', 'teams', 'webhook'] as const;
export const ToolKind = Type.Union(TOOL_KINDS.map((kind) => Type.Literal(kind)));
export type ToolKind = (typeof TOOL_KINDS)[number];

export function isToolKind(value: unknown): value is ToolKind {
  return typeof value === 'string' && (TOOL_KINDS as readonly string[]).includes(value);
}
