// PATCH /api/v1/users/{id}
import { routeMethods } from '../../../../../api/api-route.ts';
import { patchUser } from '../../../../../api/v1/accounts.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ PATCH: patchUser });
