import { randomInt, randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/engine.ts';
import { insertCards } from '../../src/db/queries/cards.ts';
import type { CardLevel, CardStatus, Role } from '../../src/db/schema.ts';
import type { CardRecord } from '../../src/domain/card.ts';
import { buildCard, type NewCardInput } from '../../src/domain/card-factory.ts';
import { SCOPES, type Scope } from '../../src/domain/scopes.ts';
import { issueCredential } from '../../src/services/credentials.ts';
import { createBankAccount, createMembership, createOrganization, createTeam } from '../../src/services/organizations.ts';

// Fixtures are written through the services (the same code the operator API and the seed use); every
// assertion then goes through HTTP.

export interface MemberFixture {
  id: string;
  role: Role;
  first_name: string;
  last_name: string;
  team_id: string | null;
  /** Authorization header value with every scope. */
  auth: string;
}

export interface OrgFixture {
  id: string;
  slug: string;
  teamId: string;
  owner: MemberFixture;
  admin: MemberFixture;
  manager: MemberFixture;
  /** In the manager's team. */
  employee: MemberFixture;
  /** Not in the manager's team. */
  outsider: MemberFixture;
  reporting: MemberFixture;
  accounts: [string, string];
  /** An Authorization header for `member` carrying exactly `scopes`. */
  token(member: MemberFixture, scopes: readonly Scope[], kind?: 'api_key' | 'access_token'): Promise<string>;
}

export async function createOrgFixture(db: Db, name = `Org ${randomUUID().slice(0, 8)}`): Promise<OrgFixture> {
  const org = await createOrganization(db, { name });
  const team = await createTeam(db, org.id, 'Sales');
  const member = async (role: Role, first_name: string, last_name: string, team_id: string | null = null): Promise<MemberFixture> => {
    const m = await createMembership(db, org.id, { role, first_name, last_name, team_id });
    const credential = await issueCredential(db, { membershipId: m.id, kind: 'access_token', scopes: SCOPES });
    return { id: m.id, role, first_name, last_name, team_id, auth: credential.authorization };
  };
  const owner = await member('owner', 'Olivia', 'Owner');
  const admin = await member('admin', 'Adam', 'Admin');
  const manager = await member('manager', 'Manon', 'Manager', team.id);
  const employee = await member('employee', 'Emile', 'Employee', team.id);
  const outsider = await member('employee', 'Oscar', 'Outsider');
  const reporting = await member('reporting', 'Rita', 'Reporting');
  const a1 = await createBankAccount(db, org.id, { name: 'Main account', main: true });
  const a2 = await createBankAccount(db, org.id, { name: 'Travel account' });
  return {
    id: org.id,
    slug: org.slug,
    teamId: team.id,
    owner, admin, manager, employee, outsider, reporting,
    accounts: [a1.id, a2.id],
    token: async (m, scopes, kind = 'access_token') =>
      (await issueCredential(db, { membershipId: m.id, kind, scopes })).authorization,
  };
}

export interface CardSpec extends Partial<Omit<NewCardInput, 'holder' | 'id' | 'organization_id'>> {
  holder?: MemberFixture;
  status?: CardStatus;
  card_level?: CardLevel;
  last_activity_at?: Date | null;
  created_at?: Date;
}

/** Inserts cards straight through the card queries (the list tests need states no single API call makes). */
export async function insertTestCards(db: Db, org: OrgFixture, specs: CardSpec[]): Promise<CardRecord[]> {
  const now = new Date();
  const cards = specs.map((spec, i) => {
    const holder = spec.holder ?? org.employee;
    const { status, last_activity_at, created_at, ...input } = spec;
    const card = buildCard(
      {
        ...input,
        id: randomUUID(),
        organization_id: org.id,
        holder: { id: holder.id, first_name: holder.first_name, last_name: holder.last_name },
        initiator_id: org.owner.id,
        bank_account_id: spec.bank_account_id ?? org.accounts[0],
        card_level: spec.card_level ?? 'virtual',
      },
      { now: created_at ?? new Date(now.getTime() - (specs.length - i) * 1000), randomDigit: () => randomInt(10) },
    );
    if (status) card.status = status;
    if (last_activity_at !== undefined) card.last_activity_at = last_activity_at;
    return { card, holder };
  });
  await insertCards(db, cards);
  return cards.map((c) => c.card);
}
