import { toolParamsNotShown, toolParamsOf, toolParamsText } from './tool-params.ts';

describe('a tool action’s params in a form', () => {
  it('sends the fields of the credential’s kind only, an email’s recipients as a list', () => {
    const text = { to: ' a@example.com,, b@example.com ', subject: 'Hi', text: '', body: 'x' };
    expect(toolParamsOf('email', text)).toEqual({
      to: ['a@example.com', 'b@example.com'],
      subject: 'Hi',
    });
    expect(toolParamsOf('webhook', text)).toEqual({ body: 'x' });
    expect(toolParamsOf(undefined, text)).toEqual({});
  });

  it('reads stored params back as text', () => {
    expect(toolParamsText({ to: ['a@example.com', 'b@example.com'], subject: 'Hi' })).toEqual({
      to: 'a@example.com, b@example.com',
      subject: 'Hi',
    });
    expect(toolParamsText(undefined)).toEqual({});
  });

  it('finds the stored params the form has no field for', () => {
    const stored = { body: '{}', contentType: 'application/json' };
    expect(toolParamsNotShown('webhook', stored)).toEqual({ contentType: 'application/json' });
    expect(toolParamsNotShown('email', { to: ['a@b.c'], cc: ['d@e.f'], html: '<p/>' })).toEqual({
      cc: ['d@e.f'],
      html: '<p/>',
    });
    // Kind unknown (the credential list not read yet): nothing is known to be shown.
    expect(toolParamsNotShown(undefined, stored)).toEqual(stored);
  });
});
