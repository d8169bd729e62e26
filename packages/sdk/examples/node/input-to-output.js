// Chains input to output: reads {"name": ...}, outputs a greeting for it.
const cronium = require('cronium');

(async () => {
  const input = await cronium.getInput();
  console.log('greeting', input.name);
  await cronium.setOutput({ greeting: `hello ${input.name}`, input });
})();
