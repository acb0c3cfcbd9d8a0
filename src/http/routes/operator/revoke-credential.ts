import { Type } from 'typebox';
import { notFound } from '../../../domain/errors.ts';
import { revokeCredential } from '../../../services/credentials.ts';
import { credentialExists } from '../../../services/operator.ts';
import type { App, AppDeps } from '../../app.ts';
import { requireOperator } from '../../auth.ts';
import { checkId, idParam } from './params.ts';
import { OPERATOR_BASE, OPERATOR_DOC, OPERATOR_ERRORS } from './schemas.ts';

const schema = {
  ...OPERATOR_DOC,
  summary: 'Revoke a credential',
  description: 'Takes effect on the next request. Revoking an already revoked credential is a 204 as well.',
  params: idParam('credential_id'),
  response: { 204: Type.Null({ description: 'Revoked' }), ...OPERATOR_ERRORS },
};

export function registerRevokeCredential(app: App, deps: AppDeps): void {
  app.delete(`${OPERATOR_BASE}/credentials/:credential_id`, { schema, onRequest: requireOperator(deps.config.operatorToken) }, async (request, reply) => {
    const id = checkId(request.params.credential_id, 'credential', 'credential_id');
    if (!(await credentialExists(deps.engine.db, id))) throw notFound('credential', 'credential_id');
    await revokeCredential(deps.engine.db, deps.clock, id);
    return reply.status(204).send(null);
  });
}
