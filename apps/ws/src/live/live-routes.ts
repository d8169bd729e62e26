import type { FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import { LIVE_LOG_LIMITS } from '@cronium/contracts';
import type { Principal } from '@cronium/accounts/credentials';
import type { Db } from '@cronium/db';
import { AppError } from '@cronium/service-kit';
import { LiveConnection } from './live-connection.ts';
import type { LiveHub } from './live-hub.ts';
import { ForeignOrigin, authenticateViewer } from './viewer-auth.ts';
import type { PublicOrigin } from '@cronium/service-kit';

declare module 'fastify' {
  interface FastifyRequest {
    viewer?: { viewer: Principal; stillValid: () => Promise<boolean> };
  }
}

/**
 * `GET /v1/live` upgrades to a WebSocket once the viewer is authenticated (401 problem+json
 * otherwise, before any upgrade). Frames follow the protocol in @cronium/contracts.
 */
export async function registerLiveRoutes(
  app: FastifyInstance,
  options: {
    db: Db;
    hub: LiveHub;
    publicOrigin: PublicOrigin;
    /** Open sockets one user may have at once (429 past it). */
    maxConnectionsPerUser: number;
    highWaterBytes?: number;
    onError?: (error: Error) => void;
  },
): Promise<void> {
  await app.register(websocket, {
    // The transport allows 16x the protocol's limit, so an oversized message gets an error
    // frame from the protocol (the connection stays) rather than a transport-level close.
    options: { maxPayload: LIVE_LOG_LIMITS.maxMessageBytes * 16, perMessageDeflate: false },
  });
  app.get(
    '/v1/live',
    {
      websocket: true,
      preValidation: async (request) => {
        const authenticated = await authenticateViewer(
          options.db,
          request,
          options.publicOrigin,
        ).catch((error: unknown) => {
          if (error instanceof ForeignOrigin) throw new AppError('FORBIDDEN', error.message);
          throw error;
        });
        if (!authenticated)
          throw new AppError(
            'UNAUTHENTICATED',
            'a session or an API token with the runs:read scope is required',
            { headers: { 'www-authenticate': 'Bearer realm="cronium-live"' } },
          );
        if (options.hub.connectionsOf(authenticated.viewer.userId) >= options.maxConnectionsPerUser)
          throw new AppError(
            'RATE_LIMITED',
            `at most ${options.maxConnectionsPerUser} live-log connections per user; close one first`,
          );
        request.viewer = authenticated;
      },
    },
    (socket, request) => {
      const connection = new LiveConnection({
        db: options.db,
        viewer: request.viewer!.viewer,
        stillValid: request.viewer!.stillValid,
        socket,
        ...(options.highWaterBytes ? { highWaterBytes: options.highWaterBytes } : {}),
        ...(options.onError ? { onError: options.onError } : {}),
      });
      options.hub.add(connection);
      // One message at a time, in order: answers come back in the order asked.
      let queue = Promise.resolve();
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) {
          socket.send(
            JSON.stringify({ type: 'error', code: 'bad_message', message: 'text frames only' }),
          );
          return;
        }
        const text = data.toString('utf8');
        queue = queue.then(() => connection.receive(text)).catch(() => undefined);
      });
      socket.on('close', () => options.hub.remove(connection));
      socket.on('error', () => options.hub.remove(connection));
    },
  );
}
