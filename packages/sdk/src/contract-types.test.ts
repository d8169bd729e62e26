import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventContext } from '@cronium/contracts';
import { typeScriptOf } from './contract-types.ts';

const declarations = readFileSync(
  join(__dirname, '..', 'files', 'node', 'cronium', 'index.d.ts'),
  'utf8',
);

describe("the Node.js SDK's types", () => {
  it('declare the event context exactly as @cronium/contracts defines it', () => {
    const declared = /export interface EventContext (\{[\s\S]*?\n\})/.exec(declarations)?.[1];
    expect(declared).toBe(typeScriptOf(EventContext));
  });
});
