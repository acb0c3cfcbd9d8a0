import { Type } from 'typebox';
import { SCOPES } from '../../../domain/scopes.ts';
import { issueCredential } from '../../../services/credentials.ts';
import type { App, AppDeps } from '../../app.ts';
import { requireOperator } from '../../auth.ts';
import { checkId, idParam } from './params.ts';
import { CredentialRequestSchema, CredentialSchema, OPERATOR_BASE, OPERATOR_DOC, WRITE_ERRORS } from './schemas.ts';

const schema = {
  ...OPERATOR_DOC,
  summary: 'Create a credential for a membership',
  description:
    'An API key (`Authorization: <login>:<secret>`) or an access token (`Authorization: Bearer <token>`) acting as ' +
    'the membership, with the scopes given (default: every scope). The secret is returned once.',
  params: idParam('membership_id'),
  body: CredentialRequestSchema,
  response: { 201: Type.Object({ credential: CredentialSchema }), ...WRITE_ERRORS },
};

export function registerCreateCredential(app: App, deps: AppDeps): void {
  app.post(`${OPERATOR_BASE}/memberships/:membership_id/credentials`, { schema, onRequest: requireOperator(deps.config.operatorToken) }, async (request, reply) => {
    const membershipId = checkId(request.params.membership_id, 'membership', 'membership_id');
    const { kind, scopes, label } = request.body;
    const credential = await issueCredential(deps.engine.db, { membershipId, kind, scopes: scopes ?? SCOPES, ...(label === undefined ? {} : { label }) });
    return reply.status(201).send({ credential });
  });
}
