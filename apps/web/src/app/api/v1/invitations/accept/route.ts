// POST /api/v1/invitations/accept
import { routeMethods } from '../../../../../api/api-route.ts';
import { postInvitationAcceptance } from '../../../../../api/v1/accounts.ts';

export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ POST: postInvitationAcceptance });
