// GET, PATCH and DELETE /api/v1/events/{id}
import { routeMethods } from '../../../../../api/api-route.ts';
import { getEvent, patchEvent, deleteEventRoute } from '../../../../../api/v1/events.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({
  GET: getEvent,
  PATCH: patchEvent,
  DELETE: deleteEventRoute,
});
