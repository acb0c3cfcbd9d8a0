import { Type } from 'typebox';
import { notFound } from '../../../domain/errors.ts';
import { deleteOrganization } from '../../../services/organizations.ts';
import type { App, AppDeps } from '../../app.ts';
import { requireOperator } from '../../auth.ts';
import { checkId, idParam } from './params.ts';
import { OPERATOR_BASE, OPERATOR_DOC, OPERATOR_ERRORS } from './schemas.ts';

const schema = {
  ...OPERATOR_DOC,
  summary: 'Delete an organization',
  description: 'Deletes the organization and everything it owns: teams, memberships, credentials, bank accounts, cards, events.',
  params: idParam('organization_id'),
  response: { 204: Type.Null({ description: 'Deleted' }), ...OPERATOR_ERRORS },
};

export function registerDeleteOrganization(app: App, deps: AppDeps): void {
  app.delete(`${OPERATOR_BASE}/organizations/:organization_id`, { schema, onRequest: requireOperator(deps.config.operatorToken) }, async (request, reply) => {
    const id = checkId(request.params.organization_id, 'organization', 'organization_id');
    if (!(await deleteOrganization(deps.engine.db, id))) throw notFound('organization', 'organization_id');
    return reply.status(204).send(null);
  });
}
