import type { App, AppDeps } from '../../app.ts';
import { registerCreateBankAccount } from './create-bank-account.ts';
import { registerCreateCredential } from './create-credential.ts';
import { registerCreateMembership } from './create-membership.ts';
import { registerCreateOrganization } from './create-organization.ts';
import { registerCreateTeam } from './create-team.ts';
import { registerDeleteOrganization } from './delete-organization.ts';
import { registerGetOrganizationOperator } from './get-organization.ts';
import { registerListOrganizations } from './list-organizations.ts';
import { registerRevokeCredential } from './revoke-credential.ts';

// qcards' operator API (/qcards/operator/v1): what an integrator's test suite calls to build fixtures. Every
// route is guarded by `Authorization: Bearer <QCARDS_OPERATOR_TOKEN>` and closed when no token is configured.
export function registerOperatorRoutes(app: App, deps: AppDeps): void {
  registerCreateOrganization(app, deps);
  registerListOrganizations(app, deps);
  registerGetOrganizationOperator(app, deps);
  registerDeleteOrganization(app, deps);
  registerCreateTeam(app, deps);
  registerCreateMembership(app, deps);
  registerCreateBankAccount(app, deps);
  registerCreateCredential(app, deps);
  registerRevokeCredential(app, deps);
}
