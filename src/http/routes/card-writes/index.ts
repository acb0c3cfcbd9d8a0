import type { App, AppDeps } from '../../app.ts';
import { registerAppearances } from './appearances.ts';
import { registerBulkCreateCards } from './bulk.ts';
import { registerCardViewPage } from './card-view-page.ts';
import { registerCreateCard } from './create.ts';
import { registerDataView } from './data-view.ts';
import { registerLifecycleRoutes } from './lifecycle.ts';
import { registerScaSessions } from './sca-sessions.ts';
import { registerCardUpdateRoutes } from './updates.ts';

// Every Qonto card write, plus appearances, data_view and the SCA session endpoints.
export function registerCardWriteRoutes(app: App, deps: AppDeps): void {
  registerCreateCard(app, deps);
  registerBulkCreateCards(app, deps);
  registerLifecycleRoutes(app, deps);
  registerCardUpdateRoutes(app, deps);
  registerAppearances(app, deps);
  registerDataView(app, deps);
  registerCardViewPage(app, deps);
  registerScaSessions(app, deps);
}
