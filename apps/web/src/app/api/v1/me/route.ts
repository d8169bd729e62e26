// GET /api/v1/me
import { routeMethods } from '../../../../api/api-route.ts';
import { getMe } from '../../../../api/v1/accounts.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: getMe });
