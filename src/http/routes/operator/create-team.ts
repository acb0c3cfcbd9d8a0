import { Type } from 'typebox';
import { operatorTeam } from '../../../domain/operator-objects.ts';
import { addTeamToOrganization } from '../../../services/operator.ts';
import type { App, AppDeps } from '../../app.ts';
import { requireOperator } from '../../auth.ts';
import { checkId, idParam } from './params.ts';
import { OPERATOR_BASE, OPERATOR_DOC, TeamBody, TeamSchema, WRITE_ERRORS } from './schemas.ts';

const schema = {
  ...OPERATOR_DOC,
  summary: 'Create a team',
  description: 'Managers see the cards of their team\'s members.',
  params: idParam('organization_id'),
  body: TeamBody,
  response: { 201: Type.Object({ team: TeamSchema }), ...WRITE_ERRORS },
};

export function registerCreateTeam(app: App, deps: AppDeps): void {
  app.post(`${OPERATOR_BASE}/organizations/:organization_id/teams`, { schema, onRequest: requireOperator(deps.config.operatorToken) }, async (request, reply) => {
    const id = checkId(request.params.organization_id, 'organization', 'organization_id');
    const team = await addTeamToOrganization(deps.engine.db, id, request.body.name);
    return reply.status(201).send({ team: operatorTeam(team) });
  });
}
