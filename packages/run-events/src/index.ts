export {
  RUN_EVENTS_CHANNEL,
  encodeRunEvent,
  decodeRunEvent,
  type RunEvent,
  type RunEventBus,
} from './run-event.ts';
export { statusEvents } from './status-events.ts';
export { PostgresRunEventBus } from './postgres-run-event-bus.ts';
export { ValkeyRunEventBus } from './valkey-run-event-bus.ts';
export { createRunEventBus, databaseNamespace } from './create-run-event-bus.ts';
