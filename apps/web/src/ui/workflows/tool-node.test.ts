import { toolFieldOf, toolNodeParams } from './tool-node.ts';

describe('a tool node in the editor', () => {
  const stored = { body: '{"old": true}', contentType: 'application/json' };

  it('keeps the params the form has no field for while the kind stays the same', () => {
    expect(
      toolNodeParams({
        kind: 'webhook',
        text: { body: '{"rows": {{ input.extract.rows }}}', contentType: 'ignored' },
        stored,
        storedKind: 'webhook',
      }),
    ).toEqual({ body: '{"rows": {{ input.extract.rows }}}', contentType: 'application/json' });
    // A field emptied is left out (the API's default), not sent empty.
    expect(
      toolNodeParams({ kind: 'webhook', text: { body: '' }, stored, storedKind: 'webhook' }),
    ).toEqual({ contentType: 'application/json' });
  });

  it('drops them with another kind of credential, and keeps the text the new kind shares', () => {
    expect(
      toolNodeParams({
        kind: 'slack',
        text: { body: '{}', text: 'done: {{ input.extract.rows }} rows' },
        stored,
        storedKind: 'webhook',
      }),
    ).toEqual({ text: 'done: {{ input.extract.rows }} rows' });
    // No kind known (no credential chosen): nothing to send.
    expect(
      toolNodeParams({ kind: undefined, text: { body: 'x' }, stored, storedKind: undefined }),
    ).toEqual({});
  });

  it('finds the field an API problem under the node is about', () => {
    expect(toolFieldOf('tool/credentialId')).toBe('credentialId');
    expect(toolFieldOf('tool/params/text')).toBe('params.text');
    expect(toolFieldOf('tool/params/to/1')).toBe('params.to');
    expect(toolFieldOf('tool/params')).toBeUndefined();
    expect(toolFieldOf('event/id')).toBeUndefined();
  });
});
