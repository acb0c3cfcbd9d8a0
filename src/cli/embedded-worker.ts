import type { App, AppDeps } from '../http/app.ts';
import { WebhookWorker } from '../webhooks/worker.ts';

/**
 * Starts the webhook worker inside `qcards serve` when config.embeddedWorker is on, and stops it when the app
 * closes (so `serve`'s shutdown finishes in-flight deliveries too). Must be called before the app listens.
 */
export async function startEmbeddedWorker(app: App, deps: AppDeps): Promise<WebhookWorker | undefined> {
  if (!deps.config.embeddedWorker) return undefined;
  const worker = new WebhookWorker(deps, { logger: app.log });
  app.addHook('onClose', async () => worker.stop());
  await worker.start();
  return worker;
}
