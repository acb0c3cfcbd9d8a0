import { Type } from 'typebox';
import { operatorOrganization } from '../../../domain/operator-objects.ts';
import { SCOPES } from '../../../domain/scopes.ts';
import { createOrganizationWithOwner, organizationDetail } from '../../../services/operator.ts';
import type { App, AppDeps } from '../../app.ts';
import { requireOperator } from '../../auth.ts';
import { NullableCredential, OPERATOR_BASE, OPERATOR_DOC, OrganizationBody, OrganizationDetailSchema, WRITE_ERRORS } from './schemas.ts';

const schema = {
  ...OPERATOR_DOC,
  summary: 'Create an organization',
  description:
    'Optionally with an owner membership (and a credential for it: `owner.credential`) and a main bank account. ' +
    'All or nothing. `credential` is null unless asked for; its secret is shown only here.',
  body: OrganizationBody,
  response: { 201: Type.Object({ organization: OrganizationDetailSchema, credential: NullableCredential }), ...WRITE_ERRORS },
};

export function registerCreateOrganization(app: App, deps: AppDeps): void {
  app.post(`${OPERATOR_BASE}/organizations`, { schema, onRequest: requireOperator(deps.config.operatorToken) }, async (request, reply) => {
    const body = request.body;
    const owner = body.owner && {
      ...body.owner,
      credential: body.owner.credential && { ...body.owner.credential, scopes: body.owner.credential.scopes ?? SCOPES },
    };
    const { organizationId, credential } = await createOrganizationWithOwner(deps.engine.db, deps.clock, { ...body, owner });
    const detail = (await organizationDetail(deps.engine.db, organizationId))!;
    return reply.status(201).send({ organization: operatorOrganization(detail.organization, detail), credential });
  });
}
