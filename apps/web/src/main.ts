import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runMain, secretBoxFromConfig } from '@cronium/service-kit';
import { loadConfig } from './config.ts';
import { createDeps } from './deps.ts';
import { provideWebDeps, type WebDeps } from './server/web-deps.ts';
import { registerApi } from './api/register-api.ts';
import { apiRoutes } from './api/v1/index.ts';
import { setupTokenFor } from './server/setup-token.ts';
import { forwardLiveLogs } from './server/live-proxy.ts';
import { LoginThrottle, needsSetup } from '@cronium/accounts';
import { EgressPolicy } from '@cronium/egress';
import { WebhookRateLimiter } from '@cronium/event-service';

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };
const appDir = fileURLToPath(new URL('..', import.meta.url));
const croniumEnv = { ...process.env };
const dev = process.argv.includes('--dev');
// Next.js decides between its development and production runtime by NODE_ENV when it is first
// loaded; Cronium's own NODE_ENV only says whether secrets must be given explicitly.
(process.env as Record<string, string>).NODE_ENV = dev ? 'development' : 'production';

await runMain({
  name: 'web',
  loadConfig: () => loadConfig(croniumEnv),
  exit: (code) => process.exit(code),
  start: async (config) => {
    const deps = createDeps(config, version);
    const setupToken = setupTokenFor({
      host: config.host,
      given: config.setupToken,
      dataDir: config.base.dataDir,
    });
    const webDeps: WebDeps = {
      db: deps.service.db,
      logger: deps.logger,
      version,
      loginThrottle: new LoginThrottle(),
      box: secretBoxFromConfig(config.base),
      egress: new EgressPolicy(config.egress),
      // The sign-in throttle's sliding window, counting every probe rather than failures.
      serverProbes: new LoginThrottle({
        attempts: config.serverProbesPerMinute,
        windowMs: 60_000,
      }),
      signedOutAttempts: new LoginThrottle({ attempts: 10, windowMs: 60_000 }),
      ownerLimits: config.ownerLimits,
      triggers: new LoginThrottle({ attempts: config.triggersPerMinute, windowMs: 60_000 }),
      hookDeliveries: new WebhookRateLimiter(),
      publicOrigin: config.publicOrigin,
      cors: { origins: new Set(config.corsOrigins) },
      setupToken,
    };
    // The UI's server components read the same dependencies (Next compiles its own module graph).
    provideWebDeps(webDeps);
    await registerApi(deps.service.http.app, webDeps, apiRoutes);
    let nextApp: { close(): Promise<void> } | undefined;
    const live = forwardLiveLogs(deps.service.http.app.server, config.live, deps.logger);
    await deps.service.start(async () => {
      const { mountNext } = await import('./server/next-handler.ts');
      nextApp = await mountNext(deps.service.http.app, {
        dir: appDir,
        dev,
        hostname: config.host,
        port: config.port,
      });
    });
    if (setupToken && (await needsSetup(deps.service.db)))
      deps.logger.warn(
        { setupToken: setupToken.token, ...(setupToken.file ? { file: setupToken.file } : {}) },
        'no admin yet: creating the first admin needs this setup token (POST /api/v1/setup with "setupToken"), because this process listens beyond loopback',
      );
    deps.logger.info(
      `Cronium is open at http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`,
    );
    return {
      logger: deps.logger,
      forceAfterMs: config.shutdownGraceMs + 10_000,
      stop: () =>
        deps.service.stop(async () => {
          live.close();
          await nextApp?.close();
        }),
    };
  },
});
