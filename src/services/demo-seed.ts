import { randomUUID } from 'node:crypto';
import type { Db } from '../db/engine.ts';
import { insertCards } from '../db/queries/cards.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Role } from '../db/schema.ts';
import type { Clock } from '../domain/clock.ts';
import { DEMO_CARD_COUNT, planDemoCards } from '../domain/demo-cards.ts';
import { DEMO_ACCOUNTS, DEMO_ORGANIZATION, DEMO_PEOPLE, DEMO_SEED, DEMO_TEAMS, SeededRandom, type DemoPerson } from '../domain/demo-data.ts';
import { SCOPES } from '../domain/scopes.ts';
import { issueCredential } from './credentials.ts';
import { addBankAccount, addMembership } from './operator.ts';
import { createOrganization, createTeam } from './organizations.ts';

// `qcards seed` and `qcards serve --demo`: one realistic organization, created in one transaction, whose
// content is the same on every run (seeded randomness; only ids, secrets and "now" differ).

export interface DemoSeedResult {
  organization_id: string;
  /** `login:secret` of the owner, every scope. */
  api_key: string;
  /** Owner access token, every scope. */
  access_token: string;
  /** Access token of an employee holding some of the cards, every scope. */
  employee_access_token: string;
  employee_membership_id: string;
  memberships: Array<{ id: string; role: Role; first_name: string; last_name: string }>;
}

const DAY = 86_400_000;

export async function seedDemoOrganization(db: Db, clock: Clock, seed = DEMO_SEED): Promise<DemoSeedResult> {
  return inTransaction(db, async (trx) => {
    const rng = new SeededRandom(seed);
    const now = clock.now();
    const { name, legal_name, legal_number, ...legal } = DEMO_ORGANIZATION;
    const org = await createOrganization(trx, { name, legal_name, legal_number });
    await trx
      .updateTable('organizations')
      .set({ ...legal, contract_signed_at: new Date(now.getTime() - 800 * DAY), created_at: new Date(now.getTime() - 800 * DAY) })
      .where('id', '=', org.id)
      .execute();

    const teams = new Map<string, string>();
    for (const team of DEMO_TEAMS) teams.set(team, (await createTeam(trx, org.id, team)).id);

    const people: Array<DemoPerson & { id: string }> = [];
    for (const [i, person] of DEMO_PEOPLE.entries()) {
      const email = `${person.first_name}.${person.last_name}`.toLowerCase().normalize('NFKD').replace(/[^a-z.]/g, '');
      const membership = await addMembership(trx, org.id, {
        first_name: person.first_name,
        last_name: person.last_name,
        role: person.role,
        email: `${email}@atelier-lumiere.example`,
        team_id: person.team === null ? null : teams.get(person.team)!,
        position: person.position,
        nationality: person.nationality,
        birth_country: person.nationality,
        residence_country: person.nationality === 'ES' ? 'ES' : 'FR',
        birthdate: person.birthdate,
        locale: person.locale,
        phone_number: `+336${String(10_000_000 + rng.int(0, 89_999_999))}`,
        ubo: person.role === 'owner',
      });
      // Joined one after the other, the owner first, so the memberships list reads like the company's history.
      await trx.updateTable('memberships').set({ created_at: new Date(now.getTime() - (790 - i * 40) * DAY) }).where('id', '=', membership.id).execute();
      people.push({ ...person, id: membership.id });
    }

    const accounts = [];
    for (const account of DEMO_ACCOUNTS) accounts.push((await addBankAccount(trx, org.id, { ...account })).id);

    const byKey = (key: string) => people.find((p) => p.key === key)!;
    const cards = planDemoCards({
      rng,
      now,
      organizationId: org.id,
      holders: people.map((p) => ({ id: p.id, first_name: p.first_name, last_name: p.last_name, weight: p.cards })),
      accounts: accounts as [string, string, string],
      initiators: [byKey('owner').id, byKey('admin').id, byKey('admin2').id],
      newId: randomUUID,
    });
    if (cards.length !== DEMO_CARD_COUNT) throw new Error(`demo plan has ${cards.length} cards`);
    await insertCards(trx, cards);

    const asDb = trx as unknown as Db;
    const owner = byKey('owner');
    const employee = byKey('lucas');
    const apiKey = await issueCredential(asDb, { membershipId: owner.id, kind: 'api_key', scopes: SCOPES, label: 'demo' });
    const token = await issueCredential(asDb, { membershipId: owner.id, kind: 'access_token', scopes: SCOPES, label: 'demo' });
    const employeeToken = await issueCredential(asDb, { membershipId: employee.id, kind: 'access_token', scopes: SCOPES, label: 'demo' });
    return {
      organization_id: org.id,
      api_key: apiKey.authorization,
      access_token: token.secret,
      employee_access_token: employeeToken.secret,
      employee_membership_id: employee.id,
      memberships: people.map((p) => ({ id: p.id, role: p.role, first_name: p.first_name, last_name: p.last_name })),
    };
  });
}
