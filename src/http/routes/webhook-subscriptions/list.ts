import { Type } from 'typebox';
import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireScopes } from '../../auth.ts';
import { subscriptionApiObject } from '../../../domain/webhook-subscription.ts';
import { listSubscriptions } from '../../../services/webhook-subscriptions.ts';
import { MAX_PAGE, pageMeta } from '../../../domain/page-meta.ts';
import { PageMeta } from '../../schemas/common.ts';
import { FlatError, SECURITY, Subscription, TAGS } from './schemas.ts';

const Query = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1 }),
  per_page: Type.Integer({ minimum: 1, maximum: 100, default: 100 }),
});

export function registerListSubscriptions(app: App, deps: AppDeps): void {
  app.get('/v2/webhook_subscriptions', {
    schema: {
      tags: TAGS,
      summary: 'List webhook subscriptions',
      description: 'Only the subscriptions created by the authenticated membership, oldest first.',
      security: SECURITY,
      querystring: Query,
      response: { 200: Type.Object({ subscriptions: Type.Array(Subscription), meta: PageMeta }), 400: FlatError, 401: FlatError, 403: FlatError },
    },
    config: { errorStyle: 'flat' },
    onRequest: requireScopes(deps.engine.db, deps.clock, ['webhook']),
  }, async (request) => {
    const { page, per_page } = request.query;
    const { rows, total } = await listSubscriptions(deps.engine.db, principalOf(request), page, per_page);
    return { subscriptions: rows.map((r) => subscriptionApiObject(r)), meta: pageMeta(page, per_page, total) };
  });
}
