import type { App, AppDeps } from '../app.ts';
import { registerHealthRoutes } from './health.ts';
import { registerCardWriteRoutes } from './card-writes/index.ts';
import { registerSandboxRoutes } from './sandbox/index.ts';

// Every route of qcards, one line per resource.
export async function registerRoutes(app: App, deps: AppDeps): Promise<void> {
  registerHealthRoutes(app, deps);
  registerCardWriteRoutes(app, deps);
  registerSandboxRoutes(app, deps);
}
