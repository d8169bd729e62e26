// GET and POST /api/v1/events
import { routeMethods } from '../../../../api/api-route.ts';
import { getEvents, postEvent } from '../../../../api/v1/events.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: getEvents, POST: postEvent });
