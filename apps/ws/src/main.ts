import { readFileSync } from 'node:fs';
import { runMain } from '@cronium/service-kit';
import { loadConfig } from './config.ts';
import { createDeps } from './deps.ts';

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

await runMain({
  name: 'ws',
  loadConfig: () => loadConfig(process.env),
  exit: (code) => process.exit(code),
  start: async (config) => {
    const deps = createDeps(config, version);
    await deps.start();
    return {
      logger: deps.logger,
      forceAfterMs: config.shutdownGraceMs + 10_000,
      stop: () => deps.stop(),
    };
  },
});
