import { Type } from 'typebox';
import { countMemberships, listMemberships } from '../../../db/queries/organizations.ts';
import { parsePageQuery } from '../../../domain/card-list.ts';
import { membershipListItem } from '../../../domain/organization-objects.ts';
import { pageMeta, pageOffset } from '../../../domain/page-meta.ts';
import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireScopes } from '../../auth.ts';
import { AUTH_ERRORS, MembershipListItemSchema, PageQuery, QONTO_SECURITY } from './schemas.ts';
import { ErrorBody, PageMeta } from '../../schemas/common.ts';

const schema = {
  tags: ['memberships'],
  summary: 'List memberships',
  description: 'OAuth scope: `organization.read`. Every membership of the authenticated organization, oldest first.',
  security: QONTO_SECURITY,
  querystring: PageQuery,
  response: {
    200: Type.Object({ memberships: Type.Array(MembershipListItemSchema), meta: PageMeta }),
    400: ErrorBody,
    ...AUTH_ERRORS,
  },
};

export function registerListMemberships(app: App, deps: AppDeps): void {
  app.get('/v2/memberships', {
    schema,
    onRequest: requireScopes(deps.engine.db, deps.clock, ['organization.read']),
    // The querystring schema documents; parsePageQuery validates, with the cards list's rules (README).
    validatorCompiler: () => () => true,
  }, async (request) => {
    const { organizationId } = principalOf(request);
    const { page, perPage } = parsePageQuery(request.query as Record<string, unknown>);
    const total = await countMemberships(deps.engine.db, organizationId);
    const offset = pageOffset(page, perPage);
    const rows = offset < total ? await listMemberships(deps.engine.db, organizationId, { limit: perPage, offset }) : [];
    return { memberships: rows.map(membershipListItem), meta: pageMeta(page, perPage, total) };
  });
}
