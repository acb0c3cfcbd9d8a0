import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../src/db/engine.ts';
import { LAST_NAMES, RARE_NICKNAME } from './dataset/names.ts';

// The requests measured, all as the owner of the largest organization (who sees every card), each with its
// expected `meta.total_count` counted straight from the table, independently of the endpoint.

export type CaseGroup = 'page' | 'sort' | 'filter' | 'search' | 'search-most';

export interface BenchCase {
  name: string;
  group: CaseGroup;
  /** Path and query string. */
  path: string;
  page: number;
  perPage: number;
  expectedTotal: number;
  /** Share of the organization's cards matching. */
  share: number;
  /** Each request asks for the page after the previous one's, from `page` on: a client walking the list. */
  walk?: boolean;
}

export const SORT_KEYS = ['status', 'nickname', 'created_at', 'last_activity_at'] as const;
export const SEARCH_LAST_NAME = 'Kowalczyk';
export const SEARCH_NICKNAME = 'lisbon';
export const SEARCH_MOST = 'live';

const count = async (db: Db, orgId: string, where: RawBuilder<unknown>): Promise<number> =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM cards WHERE organization_id = ${orgId} AND ${where}`.execute(db)).rows[0]!.n;

const qs = (params: Array<[string, string | number]>): string =>
  params.length === 0 ? '/v2/cards' : `/v2/cards?${params.map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&')}`;

export async function buildCases(db: Db, orgId: string): Promise<BenchCase[]> {
  if (!RARE_NICKNAME.toLowerCase().includes(SEARCH_NICKNAME) || !LAST_NAMES.includes(SEARCH_LAST_NAME)) throw new Error('search terms out of step with the data');
  const all = await count(db, orgId, sql`true`);
  const cases: BenchCase[] = [];
  const add = (name: string, group: CaseGroup, params: Array<[string, string | number]>, expectedTotal: number, walk = false) => {
    const page = Number(params.find(([k]) => k === 'page')?.[1] ?? 1);
    const perPage = Number(params.find(([k]) => k === 'per_page')?.[1] ?? 100);
    cases.push({ name, group, path: qs(params), page, perPage, expectedTotal, share: expectedTotal / all, walk });
  };

  add('page 1, default sort', 'page', [], all);
  // The same deep page again and again: after the first, it starts from its own page anchor
  // (src/services/page-anchors.ts). The walk below is what anchors are for; bench/list/explain.ts shows a first visit.
  add('page 500, per_page 100', 'page', [['page', 500], ['per_page', 100]], all);
  add('a walk: page 381, 382, 383 … per_page 100', 'page', [['page', 381], ['per_page', 100]], all, true);
  for (const key of SORT_KEYS) for (const order of ['asc', 'desc']) add(`sort ${key}:${order}`, 'sort', [['sort_by', `${key}:${order}`]], all);

  add('statuses[] paused, pin_blocked', 'filter', [['statuses[]', 'paused'], ['statuses[]', 'pin_blocked']],
    await count(db, orgId, sql`status IN ('paused', 'pin_blocked')`));
  add('card_levels[] metal, plus', 'filter', [['card_levels[]', 'metal'], ['card_levels[]', 'plus']],
    await count(db, orgId, sql`card_level IN ('metal', 'plus')`));
  const account = (await sql<{ id: string }>`SELECT id FROM bank_accounts WHERE organization_id = ${orgId} AND NOT main ORDER BY id LIMIT 1`.execute(db)).rows[0]!.id;
  add('bank_account_ids[] one account', 'filter', [['bank_account_ids[]', account]], await count(db, orgId, sql`bank_account_id = ${account}`));
  const holders = (await sql<{ id: string }>`SELECT id FROM memberships WHERE organization_id = ${orgId} ORDER BY md5(id::text) LIMIT 2`.execute(db)).rows.map((r) => r.id);
  add('holder_ids[] two holders', 'filter', holders.map((h) => ['holder_ids[]', h]), await count(db, orgId, sql`holder_id IN (${sql.join(holders)})`));
  const ids = (await sql<{ id: string }>`SELECT id FROM cards WHERE organization_id = ${orgId} ORDER BY md5(id::text) LIMIT 10`.execute(db)).rows.map((r) => r.id);
  add('ids[] ten cards', 'filter', ids.map((id) => ['ids[]', id]), ids.length);

  const searched = (term: string) => count(db, orgId, sql`strpos(search_text, ${term.toLowerCase()}) > 0`);
  // The last four digits of one card: a handful of cards share them (and a few ids contain them).
  const digits = (await sql<{ d: string }>`SELECT last_digits AS d FROM cards WHERE organization_id = ${orgId} ORDER BY md5(id::text) OFFSET 10 LIMIT 1`.execute(db)).rows[0]!.d;
  add(`search holder last name "${SEARCH_LAST_NAME}"`, 'search', [['query', SEARCH_LAST_NAME]], await searched(SEARCH_LAST_NAME));
  add(`search nickname fragment "${SEARCH_NICKNAME}"`, 'search', [['query', SEARCH_NICKNAME]], await searched(SEARCH_NICKNAME));
  add(`search last digits "${digits}"`, 'search', [['query', digits]], await searched(digits));
  add(`search matching most cards "${SEARCH_MOST}"`, 'search-most', [['query', SEARCH_MOST]], await searched(SEARCH_MOST));
  return cases;
}
