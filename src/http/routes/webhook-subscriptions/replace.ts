import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireScopes } from '../../auth.ts';
import { writeGuards } from '../../write-guards.ts';
import { subscriptionApiObject } from '../../../domain/webhook-subscription.ts';
import { replaceSubscription } from '../../../services/webhook-subscriptions.ts';
import { FlatError, IdParams, policyOf, ReplaceBody, SECURITY, Subscription, TAGS } from './schemas.ts';

export function registerReplaceSubscription(app: App, deps: AppDeps): void {
  const guards = writeGuards(deps);
  app.put('/v2/webhook_subscriptions/:id', {
    schema: {
      tags: TAGS,
      summary: 'Update a webhook subscription',
      description: 'Full replacement: an omitted description is removed. Re-activates a subscription disabled by a 410.',
      security: SECURITY,
      params: IdParams,
      body: ReplaceBody,
      response: { 200: Subscription, 400: FlatError, 401: FlatError, 403: FlatError, 404: FlatError },
    },
    config: { errorStyle: 'flat' },
    onRequest: requireScopes(deps.engine.db, deps.clock, ['webhook']),
    // X-Qonto-Idempotency-Key is honoured on every write (CONTRACT.md), these included.
    preHandler: guards.preHandler,
    onSend: guards.onSend,
  }, async (request) => {
    const row = await replaceSubscription(deps.engine.db, deps.clock, policyOf(deps), principalOf(request), request.params.id, request.body);
    return subscriptionApiObject(row);
  });
}
