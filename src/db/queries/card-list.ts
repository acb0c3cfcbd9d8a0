import { sql, type RawBuilder } from 'kysely';
import { hasTrigram, type CardListFilters, type SortKey, type SortOrder } from '../../domain/card-list.ts';
import { executePrepared } from '../prepared.ts';
import type { Executor } from './cards.ts';

// GET /v2/cards in ONE statement that returns the exact total and the page's pre-rendered card JSON, one row
// per card in order, so the handler only concatenates bytes (DESIGN.md: JSON.stringify of 100 cards per
// request capped a server at ~900 req/s; pre-rendered text reached ~5,400). One row per card, not the page
// aggregated into one text by string_agg: node-postgres decodes every value into a JS string, and decoding one
// 184 KB value (a 100-card page) took 1.8 ms against 0.08 ms for the same bytes as 100 values, because a string
// that large is allocated outside V8's young generation (BENCHMARKS.md, fourth session).
//
// Two shapes:
// - "counters": a caller who sees the whole organization, filtering at most by statuses[], card_levels[] and
//   bank_account_ids[]. The total is a sum over card_totals (counters and their pending deltas) (count(*) over 100k cards took 37 ms); the page
//   is a walk of the sort's covering index (ORDER BY <key>, id LIMIT/OFFSET, filters on its INCLUDE
//   columns), then a primary-key fetch of those ids' api_json (deferred join: OFFSET over the wide rows took
//   309 ms at offset 50,000). A deep page still walks every index entry before it (49,900 at page 500,
//   10–25 ms), unless the request carries a page anchor (src/services/page-anchors.ts): a card known to be at
//   some position at or before the page, from a page served earlier. The walk then starts at that card, and
//   only while the organization's order epoch (011_card_order_epoch.sql) is still the anchor's, checked in
//   the statement's own snapshot; otherwise the same statement walks from the start as before.
// - "matched": a search, holder_ids[], ids[], or a manager/employee. The matching rows are small sets (a
//   holder's cards, a list of ids, a selective search), so they are materialized once (id + sort key) and
//   both counted and paged from there. MATERIALIZED also fixes the plan of a search: the set comes from the
//   org-scoped trigram GIN index, instead of the planner walking a sort index and testing every row's
//   search_text (2–3 ms against 57 ms, DESIGN.md). A term without a trigram (shorter than 3 characters) is
//   an index-only scan of the organization's entries in the narrow cards_short_search index instead.

/** Which cards the caller may see at all (CONTRACT.md "Who sees which cards"). */
export type CardVisibility =
  | { kind: 'organization' }
  | { kind: 'team'; teamId: string | null; membershipId: string }
  | { kind: 'own'; membershipId: string };

export interface CardPageRequest {
  organizationId: string;
  visibility: CardVisibility;
  filters: CardListFilters;
  sort: { key: SortKey; order: SortOrder };
  limit: number;
  offset: number;
  /** A card known to be at or before `offset` in this list (only for requests that are `anchorable`). */
  anchor?: PageAnchor;
}

/** Where one card stood in a list (an organization, its filters and sort) at one order epoch. */
export interface PageAnchor {
  /** The organization's order epoch for the list's sort when the card was read there (011_card_order_epoch.sql). */
  epoch: string;
  /** The card's zero-based position in the list. */
  position: number;
  /**
   * The card's sort key as text: the text itself, or a date in ISO 8601 with its offset (to_json's form, which no
   * DateStyle or TimeZone setting of the connection changes); null for a card with no last_activity_at.
   */
  key: string | null;
  id: string;
}

export interface CardPageResult {
  totalCount: number;
  /** The page's cards as their JSON objects, in order. */
  cards: string[];
  /** For an anchorable request: where the page's first and last cards stand (none for an empty page). */
  anchors: PageAnchor[];
}

const SORT_COLUMN: Record<SortKey, RawBuilder<unknown>> = {
  status: sql.ref('c.status'),
  nickname: sql.ref('c.nickname'),
  last_activity_at: sql.ref('c.last_activity_at'),
  created_at: sql.ref('c.created_at'),
};

/**
 * ORDER BY matching the sort's index exactly (001_foundation.sql), `id` last in the same direction; dates
 * put nulls last in both orders. `alias` is the relation holding columns `k` (the sort key) and `id`.
 */
function orderBy(key: SortKey, order: SortOrder, k: RawBuilder<unknown>, id: RawBuilder<unknown>): RawBuilder<unknown> {
  const dir = sql.raw(order === 'asc' ? 'ASC' : 'DESC');
  const nulls = key === 'last_activity_at' ? sql.raw(' NULLS LAST') : sql.raw('');
  return sql`${k} ${dir}${nulls}, ${id} ${dir}`;
}

/** Escapes LIKE's wildcards so the term matches as a plain substring (backslash is LIKE's default escape). */
export const likeSubstring = (term: string): string => `%${term.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

function conditions(req: CardPageRequest): RawBuilder<unknown>[] {
  const { organizationId: org, visibility: v, filters: f } = req;
  const where: RawBuilder<unknown>[] = [sql`c.organization_id = ${org}`];
  if (v.kind === 'own') where.push(sql`c.holder_id = ${v.membershipId}`);
  if (v.kind === 'team') {
    where.push(v.teamId === null
      ? sql`c.holder_id = ${v.membershipId}`
      : sql`c.holder_id IN (SELECT m.id FROM memberships m WHERE m.organization_id = ${org} AND (m.team_id = ${v.teamId} OR m.id = ${v.membershipId}))`);
  }
  if (f.holderIds) where.push(sql`c.holder_id = ANY(${f.holderIds}::uuid[])`);
  if (f.statuses) {
    // Sorted by status, `IS TRUE` keeps the list of statuses out of the index conditions. PostgreSQL 15 can use
    // `= ANY` as an index condition only in an unordered scan; from an anchor, the planner took that scan over
    // the statuses' whole range and sorted it (8,588 entries, 5.5 ms, for a 100-card page) instead of walking
    // the index in order and stopping after the page.
    where.push(req.sort.key === 'status' ? sql`(c.status = ANY(${f.statuses}::text[])) IS TRUE` : sql`c.status = ANY(${f.statuses}::text[])`);
    // Redundant bounds, so that sorted by status the walk of cards_by_status starts and stops at the listed
    // statuses: PostgreSQL 15 does not use `= ANY` as an index condition on an ordered walk, and filtered
    // row by row instead (statuses[]=paused&statuses[]=pin_blocked: 81,932 index entries read, 130 ms at
    // 100,000 cards, against 1,300 entries and ~2 ms with the bounds; bench/list/explain.ts). Byte order, like
    // the column's "C" collation.
    const sorted = [...f.statuses].sort();
    where.push(sql`c.status BETWEEN ${sorted[0]!} AND ${sorted[sorted.length - 1]!}`);
  }
  if (f.bankAccountIds) where.push(sql`c.bank_account_id = ANY(${f.bankAccountIds}::uuid[])`);
  if (f.cardLevels) where.push(sql`c.card_level = ANY(${f.cardLevels}::text[])`);
  if (f.ids) where.push(sql`c.id = ANY(${f.ids}::uuid[])`);
  if (f.query !== undefined) {
    // search_text separates its fields with line feeds and Postgres text cannot hold NUL: a term with either
    // would match across two fields or fail, and no single field contains them, so it matches nothing.
    // A term with a trigram is a LIKE, which the GIN index serves (or, for a term most cards match, the
    // planner's cheaper index-only scan of cards_short_search). A term without one is a strpos, which no
    // GIN index can serve, so it is always that index-only scan: LIKE let the planner run a trigram-less
    // GIN "match all" scan plus a recheck of every wide row (5.5 s on 100,000 cards, 005_list_short_search.sql).
    if (/[\n\u0000]/.test(f.query)) where.push(sql`false`);
    else if (hasTrigram(f.query)) where.push(sql`c.search_text LIKE ${likeSubstring(f.query)}`);
    else where.push(sql`strpos(c.search_text, ${f.query}) > 0`);
  }
  return where;
}

const usesCounters = (req: CardPageRequest): boolean =>
  req.visibility.kind === 'organization' &&
  req.filters.query === undefined && req.filters.holderIds === undefined && req.filters.ids === undefined;

// Below this offset, with no filter, reading the rows in index order costs less than a deferred join.
const STRAIGHT_WALK_MAX_OFFSET = 1000;
const walksStraight = (req: CardPageRequest): boolean =>
  req.offset < STRAIGHT_WALK_MAX_OFFSET &&
  req.filters.statuses === undefined && req.filters.bankAccountIds === undefined && req.filters.cardLevels === undefined;

/**
 * Page anchors closer to the start of the list than this are neither kept nor used: walking fewer index entries
 * than this from the start takes about as long (~0.2 ms) as planning the longer statement a walk from an anchor
 * needs.
 */
export const MIN_ANCHOR_POSITION = 1_000;

/**
 * Whether the request's page is a walk of a sort index that page anchors can shorten: the whole-organization
 * shape past the straight walk, on a page that reaches MIN_ANCHOR_POSITION. The others read from the start of
 * the index only a little (a shallow page) or materialize the matching set anyway (searches, holders, ids, team
 * and own visibility), and their statement neither reads the order epoch nor returns sort keys.
 */
export const anchorable = (req: CardPageRequest): boolean =>
  usesCounters(req) && !walksStraight(req) && req.offset + req.limit > MIN_ANCHOR_POSITION;

function counterTotal(req: CardPageRequest): RawBuilder<unknown> {
  const { organizationId: org, filters: f } = req;
  const where: RawBuilder<unknown>[] = [sql`organization_id = ${org}`];
  if (f.statuses) where.push(sql`status = ANY(${f.statuses}::text[])`);
  if (f.bankAccountIds) where.push(sql`bank_account_id = ANY(${f.bankAccountIds}::uuid[])`);
  if (f.cardLevels) where.push(sql`card_level = ANY(${f.cardLevels}::text[])`);
  return sql`SELECT coalesce(sum(n), 0)::int8 AS n FROM card_totals WHERE ${sql.join(where, sql` AND `)}`;
}

export async function selectCardPage(db: Executor, req: CardPageRequest): Promise<CardPageResult> {
  // The straight walk's plan is the same whatever its values (one walk of the sort's index), so it is a
  // prepared statement (src/db/prepared.ts): parsing and planning it took longer than running it at per_page
  // 25. The other shapes' best plans depend on their values (which statuses, which search term), so they are
  // planned per request.
  const query = cardPageQuery(req);
  const { rows } = usesCounters(req) && walksStraight(req) ? await executePrepared(db, query) : await query.execute(db);
  // An empty page is one row: the total, and a null card.
  const empty = rows[0]!.api_json === null;
  const cards = empty ? [] : rows.map((r) => r.api_json!);
  const anchors: PageAnchor[] = [];
  if (anchorable(req) && !empty) {
    const at = (i: number): PageAnchor => ({ epoch: rows[i]!.epoch!, position: req.offset + i, key: rows[i]!.key!, id: rows[i]!.id! });
    anchors.push(at(0));
    if (rows.length > 1) anchors.push(at(rows.length - 1));
  }
  return { totalCount: Number(rows[0]!.total), cards, anchors };
}

interface PageRow {
  total: number;
  api_json: string | null;
  /** Anchorable shape only: the order epoch, and each card's sort key (as text) and id. */
  epoch?: string;
  key?: string | null;
  id?: string;
}

/**
 * The organization's order epoch for a sort (011_card_order_epoch.sql): delta rows folded plus delta rows pending,
 * those of a change of last_activity_at alone only for the sorts by last_activity_at.
 */
function orderEpoch(org: string, key: SortKey): RawBuilder<unknown> {
  return key === 'last_activity_at'
    ? sql`
      SELECT (SELECT coalesce(sum(changes + activity_changes), 0) FROM card_counts WHERE organization_id = ${org})
        + (SELECT count(*) FROM card_count_deltas WHERE organization_id = ${org}) AS e`
    : sql`
      SELECT (SELECT coalesce(sum(changes), 0) FROM card_counts WHERE organization_id = ${org})
        + (SELECT count(*) FROM card_count_deltas WHERE organization_id = ${org} AND NOT activity) AS e`;
}

/**
 * The page's (id, k) rows walked from the anchor instead of from the start of the list, gated on the anchor's
 * epoch being current. The anchor's card is at `anchor.position`, so the page starts `offset - position` cards
 * further. Seeking by (key, id) is one descent of the sort's index. last_activity_at can be null, and nulls
 * come after every date in both orders: from a dated anchor, the rest of the list is the later dates and then
 * every undated card, walked as two seeks and merged.
 */
function walkFromAnchor(req: CardPageRequest, where: RawBuilder<unknown>, anchor: PageAnchor): RawBuilder<unknown> {
  const { key, order } = req.sort;
  const k = SORT_COLUMN[key];
  const skip = req.offset - anchor.position;
  const cmp = sql.raw(order === 'asc' ? '>=' : '<=');
  const type = sql.raw(key === 'created_at' || key === 'last_activity_at' ? 'timestamptz' : 'text');
  const from = (seek: RawBuilder<unknown>) => sql`
    SELECT c.id, ${k} AS k FROM cards c
    WHERE ${where} AND (SELECT e FROM epoch) = ${anchor.epoch}::int8 AND ${seek}
    ORDER BY ${orderBy(key, order, k, sql.ref('c.id'))}`;
  if (anchor.key === null) return sql`(${from(sql`${k} IS NULL AND c.id ${cmp} ${anchor.id}::uuid`)} LIMIT ${req.limit} OFFSET ${skip})`;
  const seek = sql`(${k}, c.id) ${cmp} (${anchor.key}::${type}, ${anchor.id}::uuid)`;
  if (key !== 'last_activity_at') return sql`(${from(seek)} LIMIT ${req.limit} OFFSET ${skip})`;
  return sql`(
    SELECT s.id, s.k FROM ((${from(seek)} LIMIT ${skip + req.limit}) UNION ALL (${from(sql`${k} IS NULL`)} LIMIT ${skip + req.limit})) AS s
    ORDER BY ${orderBy(key, order, sql.ref('s.k'), sql.ref('s.id'))} LIMIT ${req.limit} OFFSET ${skip})`;
}

/** The statement of selectCardPage, exposed so its plans can be examined (EXPLAIN) on a large dataset. */
export function cardPageQuery(req: CardPageRequest): RawBuilder<PageRow> {
  const { key, order } = req.sort;
  const where = sql.join(conditions(req), sql` AND `);
  // Every shape ends the same: the total joined to the page's rows (none: one row with a null card), in order.
  const rows = (total: RawBuilder<unknown>, page: RawBuilder<unknown>, extra = sql``) => sql<PageRow>`
    SELECT t.n AS total, p.api_json${extra} FROM ${total} AS t LEFT JOIN ${page} AS p ON true
    ORDER BY ${orderBy(key, order, sql.ref('p.k'), sql.ref('p.id'))}`;
  const withJson = sql`(SELECT pg.id, pg.k, cj.api_json FROM page pg JOIN cards cj ON cj.id = pg.id)`;
  if (usesCounters(req) && walksStraight(req)) {
    // A shallow page with no filter: walk the sort index straight to the rows, like the one-SQL ceiling of
    // bench/list. At per_page 25 this statement took 0.77 ms against 1.08 ms for the deferred join, whose 25
    // extra primary-key lookups only pay off deep in the index (BENCHMARKS.md).
    return rows(sql`(${counterTotal(req)})`, sql`(
      SELECT c.id, ${SORT_COLUMN[key]} AS k, c.api_json FROM cards c WHERE ${where}
      ORDER BY ${orderBy(key, order, SORT_COLUMN[key], sql.ref('c.id'))}
      LIMIT ${req.limit} OFFSET ${req.offset})`);
  }
  if (usesCounters(req)) {
    // The known total gates the walk: a filter matching nothing, or a page past the end, reads no index at
    // all instead of the organization's whole range (100k index entries, ~40 ms). With an anchor, exactly one
    // of the two walks runs: each is gated on the epoch, a condition PostgreSQL evaluates once, before it.
    const anchors = anchorable(req);
    const anchor = anchors ? req.anchor : undefined;
    const stale = anchor ? sql`AND (SELECT e FROM epoch) <> ${anchor.epoch}::int8` : sql``;
    const fromStart = sql`(
      SELECT c.id, ${SORT_COLUMN[key]} AS k FROM cards c WHERE ${where} AND ${req.offset} < (SELECT n FROM total) ${stale}
      ORDER BY ${orderBy(key, order, SORT_COLUMN[key], sql.ref('c.id'))}
      LIMIT ${req.limit} OFFSET ${req.offset})`;
    const page = anchor ? sql`${walkFromAnchor(req, where, anchor)} UNION ALL ${fromStart}` : fromStart;
    const epoch = anchors ? sql`, epoch AS MATERIALIZED (${orderEpoch(req.organizationId, key)})` : sql``;
    const positions = anchors ? sql`, (SELECT e FROM epoch)::text AS epoch, to_json(p.k) #>> '{}' AS key, p.id` : sql``;
    return sql`
      WITH total AS MATERIALIZED (${counterTotal(req)})${epoch}, page AS (${page})
      ${rows(sql`total`, withJson, positions)}`;
  }
  return sql`
    WITH matched AS MATERIALIZED (
      SELECT c.id, ${SORT_COLUMN[key]} AS k FROM cards c WHERE ${where}
    ), page AS (
      SELECT m.id, m.k FROM matched m
      ORDER BY ${orderBy(key, order, sql.ref('m.k'), sql.ref('m.id'))}
      LIMIT ${req.limit} OFFSET ${req.offset}
    )
    ${rows(sql`(SELECT count(*)::int8 AS n FROM matched)`, withJson)}`;
}

/** One visible card's API JSON, or undefined when it does not exist, is another organization's, or is hidden by role. */
export async function selectCardJson(db: Executor, organizationId: string, visibility: CardVisibility, id: string): Promise<string | undefined> {
  const where = sql.join(
    [...conditions({ organizationId, visibility, filters: {}, sort: { key: 'status', order: 'asc' }, limit: 1, offset: 0 }), sql`c.id = ${id}`],
    sql` AND `,
  );
  // A primary-key lookup: prepared (src/db/prepared.ts), unlike the list, whose best plan depends on its values.
  const { rows } = await executePrepared(db, sql<{ api_json: string }>`SELECT c.api_json FROM cards c WHERE ${where}`);
  return rows[0]?.api_json;
}
