// GET /api/v1/variables
import { routeMethods } from '../../../../api/api-route.ts';
import { getVariables } from '../../../../api/v1/variables.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: getVariables });
