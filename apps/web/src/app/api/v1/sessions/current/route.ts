// DELETE /api/v1/sessions/current
import { routeMethods } from '../../../../../api/api-route.ts';
import { deleteSession } from '../../../../../api/v1/accounts.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ DELETE: deleteSession });
