import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireScopes } from '../../auth.ts';
import { subscriptionApiObject } from '../../../domain/webhook-subscription.ts';
import { findSubscription } from '../../../services/webhook-subscriptions.ts';
import { FlatError, IdParams, SECURITY, Subscription, TAGS } from './schemas.ts';

export function registerGetSubscription(app: App, deps: AppDeps): void {
  app.get('/v2/webhook_subscriptions/:id', {
    schema: {
      tags: TAGS,
      summary: 'Retrieve a webhook subscription',
      security: SECURITY,
      params: IdParams,
      response: { 200: Subscription, 401: FlatError, 403: FlatError, 404: FlatError },
    },
    config: { errorStyle: 'flat' },
    onRequest: requireScopes(deps.engine.db, deps.clock, ['webhook']),
  }, async (request) => subscriptionApiObject(await findSubscription(deps.engine.db, principalOf(request), request.params.id)));
}
