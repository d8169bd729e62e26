// GET and POST /api/v1/tokens
import { routeMethods } from '../../../../api/api-route.ts';
import { getTokens, postToken } from '../../../../api/v1/accounts.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: getTokens, POST: postToken });
