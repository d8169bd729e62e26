// GET, PUT and DELETE /api/v1/variables/{key}
import { routeMethods } from '../../../../../api/api-route.ts';
import {
  deleteVariableRoute,
  getVariable,
  putVariableRoute,
} from '../../../../../api/v1/variables.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({
  GET: getVariable,
  PUT: putVariableRoute,
  DELETE: deleteVariableRoute,
});
