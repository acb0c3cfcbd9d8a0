import type { App, AppDeps } from '../app.ts';
import { registerHealthRoutes } from './health.ts';
import { registerWebhookSubscriptionRoutes } from './webhook-subscriptions/index.ts';
import { registerListEvents } from './webhook-log/events.ts';
import { registerWebhookLogRoutes } from './webhook-log/resend.ts';

// Every route of qcards, one line per resource.
export async function registerRoutes(app: App, deps: AppDeps): Promise<void> {
  registerHealthRoutes(app, deps);
  registerWebhookSubscriptionRoutes(app, deps);
  registerListEvents(app, deps);
  registerWebhookLogRoutes(app, deps);
}
