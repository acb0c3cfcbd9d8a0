import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireScopes } from '../../auth.ts';
import { writeGuards } from '../../write-guards.ts';
import { subscriptionApiObject, type ApiSubscription } from '../../../domain/webhook-subscription.ts';
import { createSubscription } from '../../../services/webhook-subscriptions.ts';
import { CreateBody, CreatedSubscription, FlatError, policyOf, SECURITY, TAGS } from './schemas.ts';

export function registerCreateSubscription(app: App, deps: AppDeps): void {
  const guards = writeGuards(deps);
  app.post('/v2/webhook_subscriptions', {
    schema: {
      tags: TAGS,
      summary: 'Create a webhook subscription',
      description: 'Needs the `webhook` scope, and `card.read` for `v1/cards`. The secret is returned here only.',
      security: SECURITY,
      body: CreateBody,
      response: { 201: CreatedSubscription, 400: FlatError, 401: FlatError, 403: FlatError },
    },
    config: { errorStyle: 'flat' },
    onRequest: requireScopes(deps.engine.db, deps.clock, ['webhook']),
    // X-Qonto-Idempotency-Key is honoured on every write (CONTRACT.md), these included.
    preHandler: guards.preHandler,
    onSend: guards.onSend,
  }, async (request, reply) => {
    const row = await createSubscription(deps.engine.db, deps.clock, policyOf(deps), principalOf(request), request.body);
    return reply.status(201).send(subscriptionApiObject(row, { withSecret: true }) as Required<ApiSubscription>);
  });
}
