// GET /api/v1/users
import { routeMethods } from '../../../../api/api-route.ts';
import { getUsers } from '../../../../api/v1/accounts.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: getUsers });
