// Stores a variable and reads it back; a JSON value is stored as its JSON text.
import cronium from 'cronium';

await cronium.setVariable('greeting', 'hi "there"\\ \ttab\nline 2');
console.log(await cronium.getVariable('greeting'));
await cronium.setVariable('node_settings', { retries: 3 });
console.log(await cronium.getVariable('node_settings'));
console.log('missing variable:', await cronium.getVariable('no_such_variable'));
