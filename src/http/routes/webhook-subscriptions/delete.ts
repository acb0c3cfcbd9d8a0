import { Type } from 'typebox';
import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireScopes } from '../../auth.ts';
import { writeGuards } from '../../write-guards.ts';
import { deleteSubscription } from '../../../services/webhook-subscriptions.ts';
import { FlatError, IdParams, SECURITY, TAGS } from './schemas.ts';

export function registerDeleteSubscription(app: App, deps: AppDeps): void {
  const guards = writeGuards(deps);
  app.delete('/v2/webhook_subscriptions/:id', {
    schema: {
      tags: TAGS,
      summary: 'Delete a webhook subscription',
      description: 'Nothing more is sent to it; its delivery log goes with it.',
      security: SECURITY,
      params: IdParams,
      response: { 204: Type.Null({ description: 'Deleted' }), 401: FlatError, 403: FlatError, 404: FlatError },
    },
    config: { errorStyle: 'flat' },
    onRequest: requireScopes(deps.engine.db, deps.clock, ['webhook']),
    // X-Qonto-Idempotency-Key is honoured on every write (CONTRACT.md), these included.
    preHandler: guards.preHandler,
    onSend: guards.onSend,
  }, async (request, reply) => {
    await deleteSubscription(deps.engine.db, principalOf(request), request.params.id);
    return reply.status(204).send(null);
  });
}
