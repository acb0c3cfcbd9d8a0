import type { App, AppDeps } from '../../app.ts';
import { registerCurrentMembership } from './current-membership.ts';
import { registerGetOrganization } from './get-organization.ts';
import { registerListMemberships } from './list-memberships.ts';

// Qonto endpoints a client calls to find the ids the cards API takes: memberships (holders) and the
// organization with its bank accounts.
export function registerSupportingRoutes(app: App, deps: AppDeps): void {
  registerListMemberships(app, deps);
  registerCurrentMembership(app, deps);
  registerGetOrganization(app, deps);
}
