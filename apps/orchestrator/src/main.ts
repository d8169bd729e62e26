import { readFileSync } from 'node:fs';
import { canSwitchUsers } from '@cronium/executors';
import { runMain } from '@cronium/service-kit';
import { loadConfig } from './config.ts';
import { createDeps } from './deps.ts';

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

await runMain({
  name: 'orchestrator',
  loadConfig: () => loadConfig(process.env, { canSwitchUsers: canSwitchUsers() }),
  exit: (code) => process.exit(code),
  start: async (config) => {
    const deps = createDeps(config, version);
    await deps.start();
    return {
      logger: deps.logger,
      // Drain the HTTP side (5 s), let runs finish (grace), stop the rest (kill grace), hand back.
      forceAfterMs: config.shutdownGraceMs + config.killGraceMs + 20_000,
      stop: () => deps.stop(),
    };
  },
});
