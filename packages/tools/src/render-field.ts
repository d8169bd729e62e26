import { renderTemplate, type RenderOptions } from './template.ts';
import { TemplateError } from './template-error.ts';
import type { ToolContext } from './tool-context.ts';

/** A params field whose template failed; sendToolAction turns it into a non-retryable result. */
export class FieldTemplateError extends Error {
  readonly pointer: string;
  override readonly cause: TemplateError;
  constructor(pointer: string, cause: TemplateError) {
    super(`template error in ${pointer}: ${cause.message}`);
    this.name = 'FieldTemplateError';
    this.pointer = pointer;
    this.cause = cause;
  }
}

export async function renderField(
  pointer: string,
  source: string,
  context: ToolContext,
  options: RenderOptions = {},
): Promise<string> {
  try {
    return await renderTemplate(source, context, options);
  } catch (error) {
    if (error instanceof TemplateError) throw new FieldTemplateError(pointer, error);
    throw error;
  }
}
