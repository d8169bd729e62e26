// DELETE /api/v1/tokens/{id}
import { routeMethods } from '../../../../../api/api-route.ts';
import { deleteToken } from '../../../../../api/v1/accounts.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ DELETE: deleteToken });
