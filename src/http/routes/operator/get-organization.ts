import { Type } from 'typebox';
import { notFound } from '../../../domain/errors.ts';
import { operatorOrganization } from '../../../domain/operator-objects.ts';
import { organizationDetail } from '../../../services/operator.ts';
import type { App, AppDeps } from '../../app.ts';
import { requireOperator } from '../../auth.ts';
import { checkId, idParam } from './params.ts';
import { OPERATOR_BASE, OPERATOR_DOC, OPERATOR_ERRORS, OrganizationDetailSchema } from './schemas.ts';

const schema = {
  ...OPERATOR_DOC,
  summary: 'Get an organization',
  description: 'With its teams, memberships, bank accounts (external ones included) and its number of cards.',
  params: idParam('organization_id'),
  response: { 200: Type.Object({ organization: OrganizationDetailSchema }), ...OPERATOR_ERRORS },
};

export function registerGetOrganizationOperator(app: App, deps: AppDeps): void {
  app.get(`${OPERATOR_BASE}/organizations/:organization_id`, { schema, onRequest: requireOperator(deps.config.operatorToken) }, async (request) => {
    const id = checkId(request.params.organization_id, 'organization', 'organization_id');
    const detail = await organizationDetail(deps.engine.db, id);
    if (!detail) throw notFound('organization', 'organization_id');
    return { organization: operatorOrganization(detail.organization, detail) };
  });
}
