import type { App, AppDeps } from '../../app.ts';
import { registerCreateSubscription } from './create.ts';
import { registerDeleteSubscription } from './delete.ts';
import { registerGetSubscription } from './get.ts';
import { registerListSubscriptions } from './list.ts';
import { registerReplaceSubscription } from './replace.ts';

/** Qonto's /v2/webhook_subscriptions: flat bodies and flat error objects. */
export function registerWebhookSubscriptionRoutes(app: App, deps: AppDeps): void {
  registerListSubscriptions(app, deps);
  registerCreateSubscription(app, deps);
  registerGetSubscription(app, deps);
  registerReplaceSubscription(app, deps);
  registerDeleteSubscription(app, deps);
}
