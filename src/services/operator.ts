import type { Db } from '../db/engine.ts';
import type { Executor } from '../db/queries/cards.ts';
import { findOrganization, listBankAccounts, listTeams } from '../db/queries/organizations.ts';
import type { Role } from '../db/schema.ts';
import type { Clock } from '../domain/clock.ts';
import { notFound, unprocessable } from '../domain/errors.ts';
import type { Scope } from '../domain/scopes.ts';
import { inTransaction } from '../db/transaction.ts';
import { issueCredential, type IssuedCredential } from './credentials.ts';
import { createBankAccount, createMembership, createOrganization, createTeam } from './organizations.ts';

// The use cases of the operator API (and of the demo seed): each one a single transaction, so a failed call
// leaves nothing half-created.

export interface CredentialRequest {
  kind: 'api_key' | 'access_token';
  scopes: readonly Scope[];
  label?: string | undefined;
}

export interface MembershipInput {
  first_name: string;
  last_name: string;
  role: Role;
  email?: string | undefined;
  team_id?: string | null | undefined;
  phone_number?: string | undefined;
  position?: string | undefined;
  locale?: string | undefined;
  residence_country?: string | undefined;
  nationality?: string | undefined;
  birth_country?: string | undefined;
  birthdate?: string | null | undefined;
  ubo?: boolean | undefined;
  status?: string | undefined;
}

export interface BankAccountInput {
  name: string;
  main?: boolean | undefined;
  balance_cents?: number | undefined;
  authorized_balance_cents?: number | undefined;
  currency?: string | undefined;
  status?: string | undefined;
  is_external_account?: boolean | undefined;
}

export interface OrganizationInput {
  name: string;
  slug?: string | undefined;
  legal_name?: string | undefined;
  legal_number?: string | undefined;
  legal_country?: string | undefined;
  legal_form?: string | undefined;
  legal_share_capital?: number | undefined;
  legal_sector?: string | undefined;
  legal_registration_date?: string | null | undefined;
  legal_address?: string | undefined;
  locale?: string | undefined;
  owner?: (Omit<MembershipInput, 'role' | 'team_id'> & { credential?: CredentialRequest | undefined }) | undefined;
  bank_account?: BankAccountInput | undefined;
}

const defined = <T extends Record<string, unknown>>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export async function createOrganizationWithOwner(db: Db, clock: Clock, input: OrganizationInput) {
  return inTransaction(db, async (trx) => {
    if (input.slug !== undefined) {
      const taken = await trx.selectFrom('organizations').select('id').where('slug', '=', input.slug).executeTakeFirst();
      if (taken) throw unprocessable('slug_taken', `an organization already uses the slug "${input.slug}"`, '/slug');
    }
    const { owner, bank_account, name, slug, legal_name, legal_number, ...legal } = input;
    const org = await createOrganization(trx, { name, ...defined({ slug, legal_name, legal_number }) });
    await trx
      .updateTable('organizations')
      .set({ contract_signed_at: clock.now(), ...defined(legal) })
      .where('id', '=', org.id)
      .execute();
    let credential: IssuedCredential | null = null;
    if (owner) {
      const { credential: wanted, ...person } = owner;
      const membership = await addMembership(trx, org.id, { ...person, role: 'owner' });
      if (wanted) credential = await issueCredential(trx as unknown as Db, { membershipId: membership.id, organizationId: org.id, ...wanted });
    }
    if (bank_account) await addBankAccount(trx, org.id, { main: true, ...bank_account });
    return { organizationId: org.id, credential };
  });
}

export async function organizationDetail(db: Executor, organizationId: string) {
  const organization = await findOrganization(db, organizationId);
  if (!organization) return undefined;
  const [teams, memberships, bankAccounts, count] = [
    await listTeams(db, organizationId),
    await db.selectFrom('memberships').selectAll().where('organization_id', '=', organizationId).orderBy('created_at').orderBy('id').execute(),
    await listBankAccounts(db, organizationId, { includeExternal: true }),
    await db
      .selectFrom('card_totals')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('n'), eb.lit(0)).as('n'))
      .where('organization_id', '=', organizationId)
      .executeTakeFirstOrThrow(),
  ];
  return { organization, teams, memberships, bankAccounts, cardCount: Number(count.n) };
}

export async function listOrganizations(db: Db, page: { limit: number; offset: number }) {
  const total = Number(
    (await db.selectFrom('organizations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
  );
  const rows = page.offset < total
    ? await db.selectFrom('organizations').selectAll().orderBy('created_at').orderBy('id').limit(page.limit).offset(page.offset).execute()
    : [];
  return { rows, total };
}

async function requireOrganization(db: Executor, organizationId: string): Promise<void> {
  const org = await db.selectFrom('organizations').select('id').where('id', '=', organizationId).executeTakeFirst();
  if (!org) throw notFound('organization', 'organization_id');
}

export async function addMembership(db: Executor, organizationId: string, input: MembershipInput) {
  if (input.team_id) {
    const team = await db.selectFrom('teams').select('id').where('id', '=', input.team_id).where('organization_id', '=', organizationId).executeTakeFirst();
    if (!team) throw unprocessable('team_not_found', 'team_id is not a team of this organization', '/team_id');
  }
  const { first_name, last_name, role, email, team_id, ...extra } = input;
  const created = await createMembership(db, organizationId, { first_name, last_name, role, ...defined({ email, team_id }) });
  const rest = defined(extra);
  if (Object.keys(rest).length === 0) return created;
  return db.updateTable('memberships').set(rest).where('id', '=', created.id).returningAll().executeTakeFirstOrThrow();
}

export async function addMembershipToOrganization(db: Db, organizationId: string, input: MembershipInput & { credential?: CredentialRequest | undefined }) {
  return inTransaction(db, async (trx) => {
    await requireOrganization(trx, organizationId);
    const { credential: wanted, ...person } = input;
    const membership = await addMembership(trx, organizationId, person);
    const credential = wanted ? await issueCredential(trx as unknown as Db, { membershipId: membership.id, organizationId, ...wanted }) : null;
    return { membership, credential };
  });
}

export async function addBankAccount(db: Executor, organizationId: string, input: BankAccountInput) {
  const { name, main, balance_cents, authorized_balance_cents, ...extra } = input;
  // One main account per organization: a new main account takes the flag from the previous one.
  if (main) await db.updateTable('bank_accounts').set({ main: false }).where('organization_id', '=', organizationId).execute();
  const created = await createBankAccount(db, organizationId, { name, ...defined({ main, balance_cents }) });
  const rest = defined({ ...extra, authorized_balance_cents: authorized_balance_cents ?? balance_cents });
  if (Object.keys(rest).length === 0) return created;
  return db.updateTable('bank_accounts').set(rest).where('id', '=', created.id).returningAll().executeTakeFirstOrThrow();
}

export async function addBankAccountToOrganization(db: Db, organizationId: string, input: BankAccountInput) {
  return inTransaction(db, async (trx) => {
    await requireOrganization(trx, organizationId);
    return addBankAccount(trx, organizationId, input);
  });
}

export async function addTeamToOrganization(db: Db, organizationId: string, name: string) {
  return inTransaction(db, async (trx) => {
    await requireOrganization(trx, organizationId);
    return createTeam(trx, organizationId, name);
  });
}

/** Whether the credential exists at all (revoked or not): revoking twice is not an error, an unknown id is. */
export async function credentialExists(db: Db, id: string): Promise<boolean> {
  return (await db.selectFrom('credentials').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}
