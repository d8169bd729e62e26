// GET, PATCH and DELETE /api/v1/servers/{id}
import { routeMethods } from '../../../../../api/api-route.ts';
import { deleteServerRoute, getServer, patchServer } from '../../../../../api/v1/servers.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({
  GET: getServer,
  PATCH: patchServer,
  DELETE: deleteServerRoute,
});
