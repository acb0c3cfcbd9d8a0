import type { App, AppDeps } from '../app.ts';
import { registerHealthRoutes } from './health.ts';
import { registerCardRoutes } from './cards/index.ts';
import { registerSupportingRoutes } from './supporting/index.ts';
import { registerOperatorRoutes } from './operator/index.ts';
import { registerCardWriteRoutes } from './card-writes/index.ts';
import { registerSandboxRoutes } from './sandbox/index.ts';
import { registerWebhookSubscriptionRoutes } from './webhook-subscriptions/index.ts';
import { registerListEvents } from './webhook-log/events.ts';
import { registerWebhookLogRoutes } from './webhook-log/resend.ts';

// Every route of qcards, one line per resource.
export async function registerRoutes(app: App, deps: AppDeps): Promise<void> {
  registerHealthRoutes(app, deps);
  registerCardRoutes(app, deps);
  registerSupportingRoutes(app, deps);
  registerOperatorRoutes(app, deps);
  registerCardWriteRoutes(app, deps);
  registerSandboxRoutes(app, deps);
  registerWebhookSubscriptionRoutes(app, deps);
  registerListEvents(app, deps);
  registerWebhookLogRoutes(app, deps);
}
