// Takes its time: two seconds between its first and last line.
const cronium = require('cronium');

(async () => {
  console.log('starting');
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await cronium.setOutput({ slept: 2000 });
  console.log('done');
})();
