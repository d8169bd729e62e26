// Letting a smart shutdown of PostgreSQL proceed. Smart shutdown waits for every session to end
// and tells the sessions nothing, so the one who starts it (cronium-postgres, for the embedded
// server) first sends a notification on this channel. Each process then lets go of its
// connections (the pool is renewed, listeners and the liveness session reconnect with backoff)
// and reconnects once the server is back.
import { EventEmitter } from 'node:events';

/** NOTIFY on this channel (in the apps' database) asks every process to disconnect. */
export const DATABASE_STOPPING_CHANNEL = 'cronium_database_stopping';

const stopping = new EventEmitter();
stopping.setMaxListeners(0);

/** Runs `listener` on every stopping notice this process hears; returns the unsubscribe. */
export function onDatabaseStopping(listener: () => void): () => void {
  stopping.on('stopping', listener);
  return () => stopping.off('stopping', listener);
}

/** Tells every connection holder of this process that the database is stopping. */
export function announceDatabaseStopping(): void {
  stopping.emit('stopping');
}
