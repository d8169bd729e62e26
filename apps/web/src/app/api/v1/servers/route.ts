// GET and POST /api/v1/servers
import { routeMethods } from '../../../../api/api-route.ts';
import { getServers, postServer } from '../../../../api/v1/servers.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({
  GET: getServers,
  POST: postServer,
});
