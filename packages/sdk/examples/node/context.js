// Shows what the run knows about itself and keeps it as the output.
const cronium = require('cronium');

(async () => {
  const context = await cronium.getEventContext();
  console.log('event', context.event.name, 'run', context.run.id, 'attempt', context.run.attempt);
  await cronium.setOutput(context);
})();
