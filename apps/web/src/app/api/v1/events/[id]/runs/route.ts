// POST /api/v1/events/{id}/runs
import { routeMethods } from '../../../../../../api/api-route.ts';
import { postEventRun } from '../../../../../../api/v1/events.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ POST: postEventRun });
