// The SDK functions of each script language, offered as completions in the code editor
// (docs/sdk-node.md, sdk-python.md, sdk-bash.md).

export type ScriptLanguage = 'bash' | 'python' | 'node';

export interface SdkFunction {
  label: string;
  /** What is inserted; ${...} marks a field to fill (CodeMirror snippet syntax). */
  snippet: string;
  detail: string;
}

export const SDK_FUNCTIONS: Record<ScriptLanguage, SdkFunction[]> = {
  node: [
    {
      label: 'cronium.getInput',
      snippet: 'await cronium.getInput()',
      detail: "the run's input (JSON)",
    },
    {
      label: 'cronium.setOutput',
      snippet: 'await cronium.setOutput(${value})',
      detail: "set the run's output",
    },
    {
      label: 'cronium.getVariable',
      snippet: "cronium.getVariable('${key}')",
      detail: 'a variable, or null',
    },
    {
      label: 'cronium.setVariable',
      snippet: "cronium.setVariable('${key}', ${value})",
      detail: 'create or replace a variable',
    },
    {
      label: 'cronium.getCondition',
      snippet: 'cronium.getCondition()',
      detail: "the run's condition",
    },
    {
      label: 'cronium.setCondition',
      snippet: 'cronium.setCondition(${true})',
      detail: "set the run's condition",
    },
    {
      label: 'cronium.getEventContext',
      snippet: 'cronium.getEventContext()',
      detail: 'event, run, owner, server',
    },
    {
      label: "import cronium from 'cronium'",
      snippet: "import cronium from 'cronium';",
      detail: 'the SDK',
    },
  ],
  python: [
    {
      label: 'cronium.get_input',
      snippet: 'cronium.get_input()',
      detail: "the run's input (JSON)",
    },
    {
      label: 'cronium.set_output',
      snippet: 'cronium.set_output(${value})',
      detail: "set the run's output",
    },
    {
      label: 'cronium.get_variable',
      snippet: "cronium.get_variable('${key}')",
      detail: 'a variable, or None',
    },
    {
      label: 'cronium.set_variable',
      snippet: "cronium.set_variable('${key}', ${value})",
      detail: 'create or replace a variable',
    },
    {
      label: 'cronium.get_condition',
      snippet: 'cronium.get_condition()',
      detail: "the run's condition",
    },
    {
      label: 'cronium.set_condition',
      snippet: 'cronium.set_condition(${True})',
      detail: "set the run's condition",
    },
    {
      label: 'cronium.get_event_context',
      snippet: 'cronium.get_event_context()',
      detail: 'event, run, owner, server',
    },
    { label: 'import cronium', snippet: 'import cronium', detail: 'the SDK' },
  ],
  bash: [
    {
      label: 'cronium_get_input',
      snippet: 'cronium_get_input',
      detail: "the run's input as JSON text",
    },
    {
      label: 'cronium_set_output',
      snippet: "cronium_set_output '${json}'",
      detail: "set the run's output (JSON text)",
    },
    {
      label: 'cronium_get_variable',
      snippet: 'cronium_get_variable ${KEY}',
      detail: 'a variable (status 1 if none)',
    },
    {
      label: 'cronium_set_variable',
      snippet: 'cronium_set_variable ${KEY} ${VALUE}',
      detail: 'create or replace a variable',
    },
    {
      label: 'cronium_get_condition',
      snippet: 'cronium_get_condition',
      detail: 'true, false or null',
    },
    {
      label: 'cronium_set_condition',
      snippet: 'cronium_set_condition ${true}',
      detail: "set the run's condition",
    },
    {
      label: 'cronium_get_event_context',
      snippet: 'cronium_get_event_context',
      detail: 'the context as JSON text',
    },
  ],
};

/** A new event's script in each language: a working example of the SDK. */
export const STARTER_SCRIPTS: Record<ScriptLanguage, string> = {
  bash: `#!/usr/bin/env bash
set -euo pipefail
echo "Hello from Cronium"
input="$(cronium_get_input)"
echo "input: $input"
cronium_set_output '{"ok": true}'
`,
  python: `import cronium

data = cronium.get_input()
print("Hello from Cronium, input:", data)
cronium.set_output({"ok": True})
`,
  node: `import cronium from 'cronium';

const input = await cronium.getInput();
console.log('Hello from Cronium, input:', input);
await cronium.setOutput({ ok: true });
`,
};
