// Every /api/v1 module, so that the OpenAPI document sees all operations.
export * from './accounts.ts';
export * from './events.ts';
export * from './variables.ts';
export * from './servers.ts';
