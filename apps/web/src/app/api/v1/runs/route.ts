// GET /api/v1/runs
import { routeMethods } from '../../../../api/api-route.ts';
import { getRuns } from '../../../../api/v1/events.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: getRuns });
