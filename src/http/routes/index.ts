import type { App, AppDeps } from '../app.ts';
import { registerHealthRoutes } from './health.ts';
import { registerCardRoutes } from './cards/index.ts';

// Every route of qcards, one line per resource.
export async function registerRoutes(app: App, deps: AppDeps): Promise<void> {
  registerHealthRoutes(app, deps);
  registerCardRoutes(app, deps);
}
