import { randomInt, randomUUID } from 'node:crypto';
import type { Db } from '../db/engine.ts';
import type { Executor } from '../db/queries/cards.ts';
import type { Role } from '../db/schema.ts';
import { notFound } from '../domain/errors.ts';
import { forgetAuthentications } from './auth-cache.ts';

// Creating the things a card needs around it: organizations, teams, memberships and bank accounts. Used by
// the operator API, the demo seed and test fixtures.

export interface NewOrganization {
  name: string;
  slug?: string;
  legal_name?: string;
  legal_number?: string;
}

// Accents are dropped ("Lumière" → "lumiere"), not turned into separators.
const slugify = (name: string): string =>
  name.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'org';

export async function createOrganization(db: Executor, input: NewOrganization) {
  const id = randomUUID();
  const slug = input.slug ?? `${slugify(input.name)}-${randomInt(1000, 10000)}`;
  return db
    .insertInto('organizations')
    .values({
      id,
      slug,
      name: input.name,
      legal_name: input.legal_name ?? input.name,
      legal_number: input.legal_number ?? String(randomInt(100_000_000, 1_000_000_000)),
      legal_registration_date: null,
      contract_signed_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function createTeam(db: Executor, organizationId: string, name: string) {
  return db.insertInto('teams').values({ id: randomUUID(), organization_id: organizationId, name }).returningAll().executeTakeFirstOrThrow();
}

export interface NewMembership {
  first_name: string;
  last_name: string;
  role: Role;
  email?: string;
  team_id?: string | null;
}

export async function createMembership(db: Executor, organizationId: string, input: NewMembership) {
  if (input.team_id) {
    const team = await db.selectFrom('teams').select('id').where('id', '=', input.team_id).where('organization_id', '=', organizationId).executeTakeFirst();
    if (!team) throw notFound('team', 'team_id');
  }
  const email = input.email ?? `${slugify(input.first_name)}.${slugify(input.last_name)}@example.com`;
  return db
    .insertInto('memberships')
    .values({
      id: randomUUID(),
      organization_id: organizationId,
      first_name: input.first_name,
      last_name: input.last_name,
      email,
      role: input.role,
      team_id: input.team_id ?? null,
      birthdate: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface NewBankAccount {
  name: string;
  main?: boolean;
  balance_cents?: number;
}

/** A French IBAN with a valid ISO 13616 check number, so client-side IBAN validators accept it. */
export function generateIban(): { iban: string; accountNumber: string } {
  const bank = '16958';
  const branch = '00001';
  const accountNumber = String(randomInt(10_000_000_000, 100_000_000_000));
  const key = String(97 - Number((BigInt(bank + branch + accountNumber) * 100n) % 97n)).padStart(2, '0');
  const bban = `${bank}${branch}${accountNumber}${key}`;
  const numeric = `${bban}152700`; // "FR00" moved to the end, letters as numbers (F=15, R=27)
  const check = String(98n - (BigInt(numeric) % 97n)).padStart(2, '0');
  return { iban: `FR${check}${bban}`, accountNumber };
}

export async function createBankAccount(db: Executor, organizationId: string, input: NewBankAccount) {
  const { iban, accountNumber } = generateIban();
  const org = await db.selectFrom('organizations').select('slug').where('id', '=', organizationId).executeTakeFirst();
  if (!org) throw notFound('organization', 'organization_id');
  const balance = input.balance_cents ?? 0;
  return db
    .insertInto('bank_accounts')
    .values({
      id: randomUUID(),
      organization_id: organizationId,
      slug: `${org.slug}-bank-account-${randomInt(1_000_000)}`,
      name: input.name,
      iban,
      bic: 'QNTOFRP1XXX',
      balance_cents: balance,
      authorized_balance_cents: balance,
      main: input.main ?? false,
      account_number: accountNumber,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Deletes an organization and everything it owns. */
export async function deleteOrganization(db: Db, organizationId: string): Promise<boolean> {
  const existed = await db.transaction().execute(async (trx) => {
    const deleted = await trx.deleteFrom('organizations').where('id', '=', organizationId).executeTakeFirst();
    // The counters have no foreign key (triggers write them during the cascade itself).
    await trx.deleteFrom('card_counts').where('organization_id', '=', organizationId).execute();
    await trx.deleteFrom('card_count_deltas').where('organization_id', '=', organizationId).execute();
    return deleted.numDeletedRows === 1n;
  });
  // Its members' credentials went with it (auth-cache.ts).
  forgetAuthentications();
  return existed;
}
