// The image's HEALTHCHECK: healthy only when all four processes answer 200 on /ready, so a
// container whose orchestrator, runtime API or WebSocket server is down shows as unhealthy,
// not only one whose web process is. Reads the same variables and defaults as the apps and
// the launcher: @cronium/service-kit's service addresses, found as the launcher (which
// depends on it) finds them.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const launcher = createRequire(new URL('../packages/launcher/package.json', import.meta.url));
const { readyUrls } = await import(
  pathToFileURL(launcher.resolve('@cronium/service-kit/service-addresses')).href
);
const urls = readyUrls(process.env);

const results = await Promise.all(
  urls.map((url) =>
    fetch(url, { signal: AbortSignal.timeout(5000) }).then(
      (response) => (response.status === 200 ? null : `${url}: HTTP ${response.status}`),
      (error) => `${url}: ${error.cause?.code ?? error.message}`,
    ),
  ),
);
const failures = results.filter(Boolean);
if (failures.length > 0) {
  console.log(`not ready: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('ready');
