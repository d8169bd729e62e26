// GET and POST /api/v1/setup
import { routeMethods } from '../../../../api/api-route.ts';
import { getSetup, postSetup } from '../../../../api/v1/accounts.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: getSetup, POST: postSetup });
