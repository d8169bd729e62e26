// POST /api/v1/servers/{id}/test
import { routeMethods } from '../../../../../../api/api-route.ts';
import { postServerTest } from '../../../../../../api/v1/servers.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ POST: postServerTest });
