// POST /api/v1/runs/{id}/cancel
import { routeMethods } from '../../../../../../api/api-route.ts';
import { postRunCancel } from '../../../../../../api/v1/events.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ POST: postRunCancel });
