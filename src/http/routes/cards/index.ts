import type { App, AppDeps } from '../../app.ts';
import { registerGetCard } from './get.ts';
import { registerListCards } from './list.ts';

// The card routes, one line per operation.
export function registerCardRoutes(app: App, deps: AppDeps): void {
  registerListCards(app, deps);
  registerGetCard(app, deps);
}
