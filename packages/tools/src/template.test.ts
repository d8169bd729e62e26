import { checkTemplate, renderTemplate, TEMPLATE_LIMITS } from './template.ts';
import { TemplateError } from './template-error.ts';
import { sampleContext } from './testing/test-fixtures.ts';

const context = sampleContext();

async function renderError(source: string, options = {}): Promise<TemplateError> {
  try {
    await renderTemplate(source, context, options);
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return error as TemplateError;
  }
  throw new Error('rendered without an error');
}

describe('renderTemplate', () => {
  it('reads every field of the context', async () => {
    const source = [
      '{{ event.id }}|{{ event.name }}|{{ event.type }}',
      '{{ run.id }}|{{ run.status }}|{{ run.attempt }}|{{ run.durationMs }}|{{ run.exitCode }}|{{ run.error }}|{{ run.startedAt }}|{{ run.finishedAt }}',
      '{{ output.files }}|{{ output.sizes | join: "," }}|{{ output | json }}',
      '{{ condition }}|{{ input.target }}|{{ logs.size }}|{{ logs | last }}|{{ variables.team }}|{{ variables.threshold | plus: 1 }}',
      '{% for line in logs %}[{{ forloop.index }}:{{ line }}]{% endfor %}',
      '{{ run.startedAt | date: "%Y-%m-%d %H:%M" }}',
    ].join('\n');
    expect((await renderTemplate(source, context)).split('\n')).toEqual([
      '7|nightly backup|node',
      '4242|failed|2|1534|3|exit code 3|2026-01-02T03:04:05.000Z|2026-01-02T03:04:06.534Z',
      '12|1,2,3|{"files":12,"sizes":[1,2,3],"note":"disk \\"almost\\" full"}',
      'false|s3://bucket|3|error: disk full|ops|91',
      '[1:starting][2:copying 12 files][3:error: disk full]',
      '2026-01-02 03:04',
    ]);
  });

  it('renders a missing value as empty (strictVariables off)', async () => {
    const run = { ...context.run!, exitCode: null, error: null };
    const out = await renderTemplate(
      '[{{ run.exitCode }}][{{ output.nothing.deeper }}][{{ run.error | default: "none" }}]',
      { ...context, run, output: null },
    );
    expect(out).toBe('[][][none]');
  });

  it('gives nothing for prototypes, constructors and functions', async () => {
    const out = await renderTemplate(
      '[{{ event.constructor }}][{{ event.__proto__ }}][{{ logs.constructor }}][{{ output.sizes.constructor.name }}]' +
        '[{{ event.name.constructor }}][{{ event.hasOwnProperty }}][{{ variables.toString }}][{{ event["constructor"]["constructor"] }}]',
      context,
    );
    expect(out).toBe('[][][][][][][][]');
  });

  it('escapes values for HTML and Slack, not the template text', async () => {
    const ctx = sampleContext({ variables: { html: '<b>"x" & y</b>', team: 'ops' } });
    expect(await renderTemplate('<p>{{ variables.html }}</p>', ctx, { escape: 'html' })).toBe(
      '<p>&lt;b&gt;&#34;x&#34; &amp; y&lt;/b&gt;</p>',
    );
    expect(await renderTemplate('<p>{{ variables.html | raw }}</p>', ctx, { escape: 'html' })).toBe(
      '<p><b>"x" & y</b></p>',
    );
    expect(await renderTemplate('<!here> {{ variables.html }}', ctx, { escape: 'slack' })).toBe(
      '<!here> &lt;b&gt;"x" &amp; y&lt;/b&gt;',
    );
  });

  it('reports a syntax error with its line and column', async () => {
    const error = await renderError(
      'Hello\n  {{ run.status }}\n  {% if run.status == "failed" %}oops',
    );
    expect(error.line).toBe(3);
    expect(error.column).toBe(3);
    expect(error.reason).toBe('tag {% if run.status == "failed" %} not closed');
    expect(error.message).toBe(`${error.reason} at line 3, column 3`);
  });

  it('has no file system: include, render and layout do not exist', async () => {
    for (const tag of ['include', 'render', 'layout'])
      expect((await renderError(`x\n{% ${tag} "/etc/passwd" %}`)).reason).toBe(
        `tag "${tag}" not found`,
      );
  });

  it('stops a template that loops a lot', async () => {
    const started = Date.now();
    const error = await renderError(
      '{% for i in (1..5000) %}{% for j in (1..5000) %}{% endfor %}{% endfor %}',
    );
    expect(error.reason).toBe('template render limit exceeded');
    // Bounded by the render budget; generous for a loaded two-core machine.
    expect(Date.now() - started).toBeLessThan(TEMPLATE_LIMITS.renderMs * 20);
    expect((await renderError('{% for i in (1..1000000000) %}x{% endfor %}')).reason).toBe(
      'memory alloc limit exceeded',
    );
  });

  it('stops output at the cap', async () => {
    const error = await renderError('{% for i in (1..100) %}{{ logs | join: "" }}{% endfor %}', {
      maxOutputChars: 1000,
    });
    expect(error.reason).toBe('the rendered text is longer than 1000 characters');
    const big = sampleContext({ variables: { chunk: 'x'.repeat(10_000) } });
    let all: TemplateError | undefined;
    await renderTemplate('{% for i in (1..200) %}{{ variables.chunk }}{% endfor %}', big).catch(
      (error: TemplateError) => (all = error),
    );
    expect(all).toBeInstanceOf(TemplateError);
    expect(all!.reason).toBe(
      `the rendered text is longer than ${TEMPLATE_LIMITS.maxOutputChars} characters`,
    );
  });

  it('refuses a template source over the size limit', async () => {
    const error = await renderError('x'.repeat(TEMPLATE_LIMITS.maxSourceChars + 1));
    expect(error.reason).toBe(
      `the template is longer than ${TEMPLATE_LIMITS.maxSourceChars} characters`,
    );
  });
});

describe('checkTemplate', () => {
  it('accepts a template that reads the context and its own assigns', () => {
    expect(
      checkTemplate('{% assign n = logs.size %}{{ event.name }}: {{ n }} lines, {{ output.x }}'),
    ).toEqual({ ok: true });
  });

  it('reports a syntax error with its position', () => {
    expect(checkTemplate('line one\nline two {{ run.status')).toEqual({
      ok: false,
      message: expect.stringContaining('not closed'),
      line: 2,
      column: 10,
    });
  });

  it('reports an unknown filter and an unknown root variable', () => {
    expect(checkTemplate('{{ run.status | shout }}')).toMatchObject({
      ok: false,
      message: 'undefined filter: shout',
      line: 1,
    });
    expect(checkTemplate('ok\n  {{ evnt.name }}')).toEqual({
      ok: false,
      message:
        'unknown variable "evnt"; a template can read event, run, workflow, output, condition, input, logs, variables',
      line: 2,
      column: 6,
    });
  });
});
