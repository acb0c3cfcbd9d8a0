import { Type } from 'typebox';
import { findMembership } from '../../../db/queries/organizations.ts';
import { unauthorized } from '../../../domain/errors.ts';
import { currentMembership } from '../../../domain/organization-objects.ts';
import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireScopes } from '../../auth.ts';
import { AUTH_ERRORS, CurrentMembershipSchema, QONTO_SECURITY } from './schemas.ts';

const schema = {
  tags: ['memberships'],
  summary: 'Retrieve the authenticated membership',
  description: 'OAuth scope: `membership.read`. The membership the credential belongs to.',
  security: QONTO_SECURITY,
  response: { 200: Type.Object({ membership: CurrentMembershipSchema }), ...AUTH_ERRORS },
};

export function registerCurrentMembership(app: App, deps: AppDeps): void {
  app.get('/v2/membership', { schema, onRequest: requireScopes(deps.engine.db, deps.clock, ['membership.read']) }, async (request) => {
    const { organizationId, membershipId } = principalOf(request);
    const row = await findMembership(deps.engine.db, organizationId, membershipId);
    // Deleted between authentication and this read: the credential went with it.
    if (!row) throw unauthorized('the credentials are unknown, revoked or expired');
    return { membership: currentMembership(row) };
  });
}
