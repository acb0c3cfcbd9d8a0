import type { Executor } from './cards.ts';

// Reads of organizations, memberships and bank accounts, always scoped by the organization id given.

export async function findOrganization(db: Executor, organizationId: string) {
  return db.selectFrom('organizations').selectAll().where('id', '=', organizationId).executeTakeFirst();
}

export async function listBankAccounts(db: Executor, organizationId: string, options: { includeExternal?: boolean } = {}) {
  return db
    .selectFrom('bank_accounts')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .$if(!options.includeExternal, (q) => q.where('is_external_account', '=', false))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findMembership(db: Executor, organizationId: string, membershipId: string) {
  return db
    .selectFrom('memberships')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', membershipId)
    .executeTakeFirst();
}

export async function countMemberships(db: Executor, organizationId: string): Promise<number> {
  const row = await db
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organization_id', '=', organizationId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Oldest first, id as tie-breaker, so pages never repeat or skip a membership (index memberships_organization). */
export async function listMemberships(db: Executor, organizationId: string, page: { limit: number; offset: number }) {
  return db
    .selectFrom('memberships')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export async function listTeams(db: Executor, organizationId: string) {
  return db.selectFrom('teams').selectAll().where('organization_id', '=', organizationId).orderBy('created_at').orderBy('id').execute();
}
