// The image's HEALTHCHECK: healthy only when all four processes answer 200 on /ready, so a
// container whose orchestrator, runtime API or WebSocket server is down shows as unhealthy,
// not only one whose web process is. Reads the same variables as the apps and the launcher.
const target = (hostVariable, portVariable, defaultPort) => {
  const host = process.env[hostVariable] || '127.0.0.1';
  const port = process.env[portVariable] || defaultPort;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/ready`;
};

const urls = [
  target('WEB_HOST', 'WEB_PORT', 3000),
  target('ORCHESTRATOR_HOST', 'ORCHESTRATOR_PORT', 3003),
  target('RUNTIME_API_HOST', 'RUNTIME_API_PORT', 3001),
  target('WS_HOST', 'WS_PORT', 3002),
];

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
