// Runs inside its own process, as a script would: the Node.js SDK's getVariable in a loop.
// Prints {latencies: number[] (ms, sequential calls), throughput: calls/s (concurrent)}.
// Usage: node runtime-api-client.cjs <sdk-dir> <sequential-calls> <concurrency> <seconds>
const cronium = require(process.argv[2]);

(async () => {
  const calls = Number(process.argv[3]);
  const concurrency = Number(process.argv[4]);
  const seconds = Number(process.argv[5]);
  for (let i = 0; i < 200; i++) await cronium.getVariable('bench_value'); // warm-up
  const latencies = [];
  for (let i = 0; i < calls; i++) {
    const began = performance.now();
    const value = await cronium.getVariable('bench_value');
    latencies.push(performance.now() - began);
    if (value !== 'forty-two') throw new Error(`unexpected value ${value}`);
  }
  let done = 0;
  const stopAt = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < stopAt) {
        await cronium.getVariable('bench_value');
        done += 1;
      }
    }),
  );
  process.stdout.write(JSON.stringify({ latencies, throughput: done / seconds }));
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
