// Calls a webhook with the tool credential "examples webhook" and keeps how it went as the
// output. The body is a template: Cronium fills in {{ run.id }} before sending it.
const cronium = require('cronium');

(async () => {
  const result = await cronium.executeToolAction('examples webhook', {
    body: '{"from":"node","note":"café","run":{{ run.id }}}',
  });
  console.log('sent', result.ok);
  await cronium.setOutput(result);
})();
