import { Type } from 'typebox';
import { findOrganization, listBankAccounts } from '../../../db/queries/organizations.ts';
import { unauthorized } from '../../../domain/errors.ts';
import { organizationObject } from '../../../domain/organization-objects.ts';
import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireScopes } from '../../auth.ts';
import { AUTH_ERRORS, OrganizationSchema, QONTO_SECURITY } from './schemas.ts';
import { ErrorBody } from '../../schemas/common.ts';

const schema = {
  tags: ['organization'],
  summary: 'Retrieve the authenticated organization and list bank accounts',
  description:
    'OAuth scope: `organization.read`. The organization of the credential with its bank accounts; external ' +
    'accounts only with `include_external_accounts=true`, as on Qonto.',
  security: QONTO_SECURITY,
  querystring: Type.Object({
    include_external_accounts: Type.Optional(Type.Boolean({ default: false, description: 'Also list connected external accounts' })),
  }),
  response: { 200: Type.Object({ organization: OrganizationSchema }), 400: ErrorBody, ...AUTH_ERRORS },
};

export function registerGetOrganization(app: App, deps: AppDeps): void {
  app.get('/v2/organization', { schema, onRequest: requireScopes(deps.engine.db, deps.clock, ['organization.read']) }, async (request) => {
    const { organizationId } = principalOf(request);
    const organization = await findOrganization(deps.engine.db, organizationId);
    if (!organization) throw unauthorized('the credentials are unknown, revoked or expired');
    const accounts = await listBankAccounts(deps.engine.db, organizationId, {
      includeExternal: request.query.include_external_accounts === true,
    });
    return { organization: organizationObject(organization, accounts) };
  });
}
