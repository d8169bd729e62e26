// PUT /api/v1/servers/{id}/host-key
import { routeMethods } from '../../../../../../api/api-route.ts';
import { putServerHostKey } from '../../../../../../api/v1/servers.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ PUT: putServerHostKey });
