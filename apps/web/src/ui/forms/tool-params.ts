// A tool action's params as the forms edit them (one text field each) and as the API takes
// them (docs/tools.md): the conversions both ways, kept apart from the components so they are
// tested alone.

export type ToolKind = 'email' | 'slack' | 'discord' | 'teams' | 'webhook';

export interface ToolField {
  key: string;
  label: string;
  long?: boolean;
  hint?: string;
}

/** The text fields of each kind's params (every one a template), in the order shown. */
export const TOOL_FIELDS: Record<ToolKind, ToolField[]> = {
  email: [
    { key: 'to', label: 'To', hint: 'Addresses, separated by commas' },
    { key: 'subject', label: 'Subject' },
    { key: 'text', label: 'Text', long: true },
  ],
  slack: [{ key: 'text', label: 'Text', long: true }],
  discord: [{ key: 'content', label: 'Content', long: true }],
  teams: [
    { key: 'title', label: 'Title' },
    { key: 'text', label: 'Text', long: true },
  ],
  webhook: [{ key: 'body', label: 'Body', long: true, hint: 'Sent as written, e.g. JSON' }],
};

/** The params the API takes, from the form's text (email's `to` as a list). */
export function toolParamsOf(
  kind: ToolKind | undefined,
  params: Record<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key } of kind ? TOOL_FIELDS[kind] : []) {
    const value = params[key] ?? '';
    if (key === 'to')
      out.to = value
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean);
    else if (value !== '') out[key] = value;
  }
  return out;
}

/** The form's text, from stored params. */
export function toolParamsText(
  params: Record<string, unknown> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params ?? {}))
    out[key] = Array.isArray(value) ? value.join(', ') : String(value);
  return out;
}

/**
 * Stored params the form has no field for (an email's `cc` or `html`, a webhook's
 * `contentType`: set through the API). A form that keeps them sends them back unchanged.
 */
export function toolParamsNotShown(
  kind: ToolKind | undefined,
  params: Record<string, unknown>,
): Record<string, unknown> {
  const shown = new Set((kind ? TOOL_FIELDS[kind] : []).map((f) => f.key));
  return Object.fromEntries(Object.entries(params).filter(([key]) => !shown.has(key)));
}
