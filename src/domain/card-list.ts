import { MAX_PAGE } from './page-meta.ts';
import { CARD_LEVELS, CARD_STATUSES, type CardLevel, type CardStatus } from '../db/schema.ts';
import { ApiError, type ErrorItem } from './errors.ts';
import { isUuid } from './uuid.ts';

// GET /v2/cards parameters, parsed by hand rather than by Ajv so that every error names the parameter exactly
// as the client sent it (`statuses[]`, `per_page`), all errors of one request are reported together, and the
// rules below stay in one pure, testable place.
//
// Decisions (README "Compatibility notes"):
// - Unknown parameters are ignored (CONTRACT.md).
// - A scalar parameter given several times (`page=1&page=2`) takes its LAST value, as Rack does for the
//   Rails stack Qonto runs on.
// - A scalar parameter given empty (`page=`, `sort_by=`, `query=`) counts as absent: its default applies.
// - Every value of an array parameter must be valid, an empty one included (`statuses[]=` is a 400): an
//   empty value is never silently widened into "no filter".
// - `page` is an integer from 1 to 2,147,483,647; a page past the end is `cards: []` with correct meta.

export const SORT_KEYS = ['status', 'nickname', 'last_activity_at', 'created_at'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortOrder = 'asc' | 'desc';

export const DEFAULT_PER_PAGE = 100;
export const MAX_PER_PAGE = 100;
export const DEFAULT_SORT = 'status:asc';

export interface CardListFilters {
  holderIds?: string[];
  statuses?: CardStatus[];
  bankAccountIds?: string[];
  cardLevels?: CardLevel[];
  ids?: string[];
  /** The search term, lower-cased like cards.search_text; absent when empty. */
  query?: string;
}

export interface CardListParams {
  page: number;
  perPage: number;
  sort: { key: SortKey; order: SortOrder };
  filters: CardListFilters;
}

const DIGITS = /^[0-9]+$/;

type RawQuery = Record<string, unknown>;

/** The values of one parameter as strings: absent → [], a repeated key → every value in order. */
function valuesOf(query: RawQuery, name: string): string[] {
  const raw = query[name];
  if (raw === undefined || raw === null) return [];
  return (Array.isArray(raw) ? raw : [raw]).map((v) => String(v));
}

/** A scalar parameter: the last value given, or undefined when absent or empty. */
function scalarOf(query: RawQuery, name: string): string | undefined {
  const values = valuesOf(query, name);
  const last = values[values.length - 1];
  return last === undefined || last === '' ? undefined : last;
}

function integerParam(query: RawQuery, name: string, fallback: number, max: number, errors: ErrorItem[]): number {
  const value = scalarOf(query, name);
  if (value === undefined) return fallback;
  if (!DIGITS.test(value)) {
    errors.push({ code: 'invalid_type', detail: `${name} must be an integer, got ${quote(value)}`, source: { parameter: name } });
    return fallback;
  }
  const n = Number(value);
  if (n < 1 || n > max) {
    errors.push({ code: 'out_of_range', detail: `${name} must be between 1 and ${max}, got ${value.replace(/^0+(?=\d)/, '')}`, source: { parameter: name } });
    return fallback;
  }
  return n;
}

function listParam<T extends string>(
  query: RawQuery,
  name: string,
  accepts: (v: string) => boolean,
  invalid: (v: string) => ErrorItem,
  errors: ErrorItem[],
): T[] | undefined {
  const values = valuesOf(query, name);
  if (values.length === 0) return undefined;
  const bad = values.filter((v) => !accepts(v));
  // One item per distinct bad value, so a client sees everything wrong at once.
  for (const v of new Set(bad)) errors.push(invalid(v));
  if (bad.length > 0) return undefined;
  return [...new Set(values)] as T[];
}

const uuidList = (query: RawQuery, name: string, errors: ErrorItem[]): string[] | undefined =>
  listParam<string>(query, name, (v) => isUuid(v), (v) => ({
    code: 'invalid_format', detail: `${name} must hold uuids, got ${quote(v)}`, source: { parameter: name },
  }), errors)?.map((v) => v.toLowerCase());

function enumList<T extends string>(query: RawQuery, name: string, allowed: readonly T[], errors: ErrorItem[]): T[] | undefined {
  return listParam<T>(query, name, (v) => (allowed as readonly string[]).includes(v), (v) => ({
    code: 'not_in_list', detail: `${name} must be one of: ${allowed.join(', ')}; got ${quote(v)}`, source: { parameter: name },
  }), errors);
}

function sortParam(query: RawQuery, errors: ErrorItem[]): CardListParams['sort'] {
  const value = scalarOf(query, 'sort_by') ?? DEFAULT_SORT;
  const [key, order, ...rest] = value.split(':');
  const keyOk = (SORT_KEYS as readonly string[]).includes(key ?? '');
  const orderOk = order === 'asc' || order === 'desc';
  if (keyOk && orderOk && rest.length === 0) return { key: key as SortKey, order: order as SortOrder };
  const problems: string[] = [];
  if (!keyOk) problems.push(`the property must be one of: ${SORT_KEYS.join(', ')}`);
  if (!orderOk || rest.length > 0) problems.push('the order must be asc or desc');
  errors.push({
    code: keyOk ? 'invalid_sort_order' : 'invalid_sort_property',
    detail: `sort_by must be "<property>:<order>" (${problems.join('; ')}), got ${quote(value)}`,
    source: { parameter: 'sort_by' },
  });
  return { key: 'status', order: 'asc' };
}

/** `page` and `per_page`, their problems added to `errors`. */
function pageParams(query: RawQuery, errors: ErrorItem[]): { page: number; perPage: number } {
  return {
    page: integerParam(query, 'page', 1, MAX_PAGE, errors),
    perPage: integerParam(query, 'per_page', DEFAULT_PER_PAGE, MAX_PER_PAGE, errors),
  };
}

/** `page` and `per_page` as GET /v2/cards takes them, for the other paginated lists (GET /v2/memberships). */
export function parsePageQuery(query: RawQuery): { page: number; perPage: number } {
  const errors: ErrorItem[] = [];
  const paging = pageParams(query, errors);
  if (errors.length > 0) throw new ApiError(400, errors);
  return paging;
}

/** Parses GET /v2/cards' query string (as Fastify's parser hands it over); throws one 400 naming every bad parameter. */
export function parseCardListQuery(query: RawQuery): CardListParams {
  const errors: ErrorItem[] = [];
  const { page, perPage } = pageParams(query, errors);
  const sort = sortParam(query, errors);
  const filters: CardListFilters = {};
  const holderIds = uuidList(query, 'holder_ids[]', errors);
  const statuses = enumList(query, 'statuses[]', CARD_STATUSES, errors);
  const bankAccountIds = uuidList(query, 'bank_account_ids[]', errors);
  const cardLevels = enumList(query, 'card_levels[]', CARD_LEVELS, errors);
  const ids = uuidList(query, 'ids[]', errors);
  const search = scalarOf(query, 'query');
  if (errors.length > 0) throw new ApiError(400, errors);
  if (holderIds) filters.holderIds = holderIds;
  if (statuses) filters.statuses = statuses;
  if (bankAccountIds) filters.bankAccountIds = bankAccountIds;
  if (cardLevels) filters.cardLevels = cardLevels;
  if (ids) filters.ids = ids;
  if (search !== undefined) filters.query = normalizeQuery(search);
  return { page, perPage, sort, filters };
}

/**
 * Whether a (lower-cased) search term yields a trigram pg_trgm can look up: a run of three ASCII letters or
 * digits. pg_trgm extracts trigrams from runs of word characters only, so `ab`, `💳`, `a-b` or `%_%` have none
 * and its GIN index would scan everything. Non-ASCII letters count as word characters only in some locales
 * (not in C), so they are left out: such a term takes the index-only path, which is correct, only slower for a
 * selective term.
 */
export const hasTrigram = (term: string): boolean => /[a-z0-9]{3}/.test(term);

/** Lower-cased like cards.search_text (src/domain/card.ts), so the match is case-insensitive. */
const normalizeQuery = (query: string): string => query.toLowerCase();

/** A value quoted for an error detail, cut short so a huge parameter does not make a huge error body. */
function quote(value: string): string {
  const cut = value.length > 60 ? `${value.slice(0, 60)}…` : value;
  return JSON.stringify(cut);
}
