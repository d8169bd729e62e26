// GET /api/v1/events/{id}/ticks
import { routeMethods } from '../../../../../../api/api-route.ts';
import { getEventTicks } from '../../../../../../api/v1/events.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: getEventTicks });
