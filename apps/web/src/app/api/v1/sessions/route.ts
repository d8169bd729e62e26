// POST /api/v1/sessions
import { routeMethods } from '../../../../api/api-route.ts';
import { postSession } from '../../../../api/v1/accounts.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ POST: postSession });
