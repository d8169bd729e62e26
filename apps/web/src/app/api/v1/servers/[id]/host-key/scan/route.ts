// POST /api/v1/servers/{id}/host-key/scan
import { routeMethods } from '../../../../../../../api/api-route.ts';
import { postServerHostKeyScan } from '../../../../../../../api/v1/servers.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ POST: postServerHostKeyScan });
