import { Context, Liquid, LiquidError, toPromise, type Emitter, type Template } from 'liquidjs';
import { TOOL_CONTEXT_ROOTS, type ToolContext } from './tool-context.ts';
import { TemplateError } from './template-error.ts';

/**
 * How values written by `{{ ... }}` are escaped (literal template text never is; `| raw`
 * opts a value out): `html` for HTML email bodies, `slack` for Slack's mrkdwn, where `<`,
 * `>` and `&` are control characters (a log line with `<!channel>` must not ping anyone).
 */
export type TemplateEscape = 'none' | 'html' | 'slack';

export interface TemplateLimits {
  /** Longest template source accepted. */
  maxSourceChars: number;
  /** Rendering stops with an error once the output is longer than this. */
  maxOutputChars: number;
  /** Wall-clock budget of one render (LiquidJS `renderLimit`). */
  renderMs: number;
  /** Allocation budget of one render (LiquidJS `memoryLimit`: ranges, joins, string filters). */
  memory: number;
}

export const TEMPLATE_LIMITS: TemplateLimits = {
  maxSourceChars: 262_144,
  maxOutputChars: 1_000_000,
  renderMs: 1000,
  memory: 10_000_000,
};

const slackEscape = (value: unknown) =>
  String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');

/**
 * One engine per escape mode, configured so a template can only read the context: no file
 * system (include/render/layout are removed, and the in-memory template map is empty), own
 * properties only (no `constructor`, `__proto__`...), unknown filters are errors.
 * strictVariables is off on purpose: a missing value (no exit code on a timed-out run, no
 * output) renders empty rather than failing the notification about it; misspelt root names
 * are caught by checkTemplate when the template is saved.
 */
function engine(escape: TemplateEscape): Liquid {
  const liquid = new Liquid({
    templates: {},
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    jsTruthy: false,
    dynamicPartials: false,
    timezoneOffset: 0,
    cache: false,
    parseLimit: TEMPLATE_LIMITS.maxSourceChars,
    renderLimit: TEMPLATE_LIMITS.renderMs,
    memoryLimit: TEMPLATE_LIMITS.memory,
    ...(escape === 'html' ? { outputEscape: 'escape' as const } : {}),
    ...(escape === 'slack' ? { outputEscape: slackEscape } : {}),
  });
  for (const tag of ['include', 'render', 'layout', 'block']) delete liquid.tags[tag];
  return liquid;
}

const engines: Record<TemplateEscape, Liquid> = {
  none: engine('none'),
  html: engine('html'),
  slack: engine('slack'),
};

/** LiquidJS appends ", line:L, col:C" to its messages; the position is kept apart here. */
function toTemplateError(error: unknown): TemplateError {
  if (error instanceof TemplateError) return error;
  if (LiquidError.is(error)) {
    const [line = 1, column = 1] = error.token.getPosition();
    const original = (error as LiquidError).originalError;
    const reason = (original?.message ?? error.message).replace(/, line:\d+, col:\d+$/, '');
    return new TemplateError(reason, line, column);
  }
  return new TemplateError((error as Error).message ?? String(error), 1, 1);
}

function parse(source: string, escape: TemplateEscape): Template[] {
  if (source.length > TEMPLATE_LIMITS.maxSourceChars)
    throw new TemplateError(
      `the template is longer than ${TEMPLATE_LIMITS.maxSourceChars} characters`,
      1,
      1,
    );
  try {
    return engines[escape].parse(source);
  } catch (error) {
    throw toTemplateError(error);
  }
}

export type TemplateCheck =
  { ok: true } | { ok: false; message: string; line: number; column: number };

/**
 * Whether a template parses and reads only names the context has (`event`, `run`, `output`,
 * `condition`, `input`, `logs`, `variables`, or its own `assign`s). Meant for save time.
 */
export function checkTemplate(source: string): TemplateCheck {
  try {
    const templates = parse(source, 'none');
    const { globals } = engines.none.analyzeSync(templates);
    const roots: readonly string[] = TOOL_CONTEXT_ROOTS;
    for (const [name, uses] of Object.entries(globals)) {
      if (roots.includes(name)) continue;
      const at = uses[0]?.location;
      return {
        ok: false,
        message: `unknown variable "${name}"; a template can read ${roots.join(', ')}`,
        line: at?.row ?? 1,
        column: at?.col ?? 1,
      };
    }
    return { ok: true };
  } catch (error) {
    const e = toTemplateError(error);
    return { ok: false, message: e.reason, line: e.line, column: e.column };
  }
}

/** An emitter that refuses to grow past the cap, so a runaway loop stops early. */
class CappedEmitter implements Emitter {
  buffer = '';
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }
  write(html: unknown): void {
    const text = typeof html === 'string' ? html : String(html ?? '');
    if (this.buffer.length + text.length > this.#max)
      throw new Error(`the rendered text is longer than ${this.#max} characters`);
    this.buffer += text;
  }
}

export interface RenderOptions {
  escape?: TemplateEscape;
  /** Lower than TEMPLATE_LIMITS.maxOutputChars for fields with a smaller limit. */
  maxOutputChars?: number;
}

/**
 * Renders a template against a run's context; throws TemplateError (with the position) for
 * a syntax error, an unknown filter, or a render over its time, memory or output budget.
 */
export async function renderTemplate(
  source: string,
  context: ToolContext,
  options: RenderOptions = {},
): Promise<string> {
  const escape = options.escape ?? 'none';
  const liquid = engines[escape];
  const templates = parse(source, escape);
  // A JSON copy: plain objects, arrays and primitives only, whatever the caller built.
  const scope = JSON.parse(JSON.stringify(context)) as object;
  const max = Math.min(options.maxOutputChars ?? Infinity, TEMPLATE_LIMITS.maxOutputChars);
  const emitter = new CappedEmitter(max);
  const ctx = new Context(scope, liquid.options, {}, { liquid });
  try {
    await toPromise(liquid.renderer.renderTemplates(templates, ctx, emitter));
  } catch (error) {
    throw toTemplateError(error);
  }
  return emitter.buffer;
}
