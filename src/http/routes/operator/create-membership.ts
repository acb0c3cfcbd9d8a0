import { Type } from 'typebox';
import { operatorMembership } from '../../../domain/operator-objects.ts';
import { SCOPES } from '../../../domain/scopes.ts';
import { addMembershipToOrganization } from '../../../services/operator.ts';
import type { App, AppDeps } from '../../app.ts';
import { requireOperator } from '../../auth.ts';
import { checkId, idParam } from './params.ts';
import { MembershipBody, MembershipSchema, NullableCredential, OPERATOR_BASE, OPERATOR_DOC, WRITE_ERRORS } from './schemas.ts';

const schema = {
  ...OPERATOR_DOC,
  summary: 'Create a membership',
  description:
    'A person of the organization with a role (owner, admin, manager, employee, reporting) and optionally a team. ' +
    'With `credential`, also issues an API key or access token for it (secret shown once).',
  params: idParam('organization_id'),
  body: MembershipBody,
  response: { 201: Type.Object({ membership: MembershipSchema, credential: NullableCredential }), ...WRITE_ERRORS },
};

export function registerCreateMembership(app: App, deps: AppDeps): void {
  app.post(`${OPERATOR_BASE}/organizations/:organization_id/memberships`, { schema, onRequest: requireOperator(deps.config.operatorToken) }, async (request, reply) => {
    const id = checkId(request.params.organization_id, 'organization', 'organization_id');
    const body = request.body;
    const credential = body.credential && { ...body.credential, scopes: body.credential.scopes ?? SCOPES };
    const created = await addMembershipToOrganization(deps.engine.db, id, { ...body, credential });
    return reply.status(201).send({ membership: operatorMembership(created.membership), credential: created.credential });
  });
}
