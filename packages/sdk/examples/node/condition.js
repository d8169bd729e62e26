// Sets the run's condition from its input: true when value > 10.
const cronium = require('cronium');

(async () => {
  const { value } = await cronium.getInput();
  await cronium.setCondition(value > 10);
  console.log('condition is now', await cronium.getCondition());
})();
