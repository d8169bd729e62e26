// GET /api/v1/audit
import { routeMethods } from '../../../../api/api-route.ts';
import { getAuditLog } from '../../../../api/v1/variables.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: getAuditLog });
