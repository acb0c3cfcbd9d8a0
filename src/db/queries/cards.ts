import { sql, type RawBuilder, type Transaction } from 'kysely';
import { cardSearchText, renderCardJson, type CardRecord, type HolderName } from '../../domain/card.ts';
import type { Db } from '../engine.ts';
import { executePrepared, fixedText } from '../prepared.ts';
import type { CardsTable, Database } from '../schema.ts';

// Card rows are written only through these functions, which keep `api_json` and `search_text` in step with
// the columns they are derived from.

export type Executor = Db | Transaction<Database>;

/** The columns derived from a card and its holder, whichever way the row is written. */
const derivedColumns = (card: CardRecord, holder: HolderName) => ({
  search_text: cardSearchText(card, holder),
  api_json: renderCardJson(card),
});

function rowOf(card: CardRecord, holder: HolderName) {
  return { ...card, address: card.address === null ? null : JSON.stringify(card.address), ...derivedColumns(card, holder) };
}

export async function insertCards(db: Executor, cards: Array<{ card: CardRecord; holder: HolderName }>): Promise<void> {
  if (cards.length === 0) return;
  await db.insertInto('cards').values(cards.map(({ card, holder }) => rowOf(card, holder))).execute();
}

/**
 * The UPDATE of every column of an existing card (and its derived text) from the record, but its PAN and CVV,
 * which never change after creation (so a record without them, as src/services/card-cache.ts keeps, writes the
 * same row). Its new version comes from the trigger of 014.
 */
function cardUpdate(db: Executor, card: CardRecord, holder: HolderName) {
  const { id, organization_id: _org, pan: _pan, cvv: _cvv, ...rest } = rowOf(card, holder);
  return db.updateTable('cards').set(rest)
    .where('id', '=', id).where('organization_id', '=', card.organization_id);
}

/** Writes every column of an existing card (and its derived text) from the record: for a row already locked. */
export async function saveCard(db: Executor, card: CardRecord, holder: HolderName): Promise<void> {
  await cardUpdate(db, card, holder).execute();
}

export interface CardWithHolder {
  card: CardRecord;
  holder: HolderName;
}

export interface CardForChange extends CardWithHolder {
  /** The holder's team, for a manager's "who sees which cards". */
  holderTeamId: string | null;
  /** The row's version when it was read (every UPDATE of the row gives it a new one: 014_card_version_trigger.sql). */
  version: number;
}

/**
 * One card of an organization, read to be changed: the card, its holder's name and team, and the row version
 * for `saveCardsIfUnchanged`. Without `forUpdate` nothing is locked and a concurrent change shows as a version
 * mismatch at write time; with it the row is locked for the rest of the transaction, so concurrent writes on
 * one card apply one after the other.
 */
export async function findCard(
  db: Executor,
  organizationId: string,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<CardForChange | undefined> {
  let query = db
    .selectFrom('cards')
    .innerJoin('memberships', 'memberships.id', 'cards.holder_id')
    .selectAll('cards')
    .select(['memberships.first_name as holder_first_name', 'memberships.last_name as holder_last_name', 'memberships.team_id as holder_team_id'])
    .where('cards.organization_id', '=', organizationId)
    .where('cards.id', '=', id);
  if (options.forUpdate) query = query.forUpdate('cards');
  const [row] = (await executePrepared(db, query)).rows;
  if (!row) return undefined;
  const { search_text: _s, api_json: _a, holder_first_name, holder_last_name, holder_team_id, version, ...card } = row;
  return { card, holder: { first_name: holder_first_name, last_name: holder_last_name }, holderTeamId: holder_team_id, version };
}

/** CTEs that run in the same statement as card writes (card events': `cardEventsCtes(…, 'changed')`). */
export interface Alongside {
  ctes: RawBuilder<unknown>;
  /** A number computed from them and returned as `tally` (card events': the deliveries they queued due, for claims). */
  tally: RawBuilder<number>;
  /**
   * The rows of one of the CTEs, returned after the cards' (card events': the deliveries handed to this
   * process's webhook worker, src/webhooks/handoff.ts).
   */
  returned?: { from: string; columns: readonly string[] };
}

/** A card to write: as it is after a change, with the row version the change was decided on. */
export interface CardWrite {
  card: CardRecord;
  holder: HolderName;
  version: number;
}

// Every column a change may write: all but the key, the organization, the PAN and CVV (never changed after
// creation) and the version (014's trigger sets it).
const WRITTEN_COLUMNS = [
  'holder_id', 'initiator_id', 'bank_account_id', 'status', 'card_level', 'card_type', 'nickname', 'embossed_name',
  'pin_set', 'mask_pan', 'last_digits', 'exp_month', 'exp_year', 'last_activity_at', 'ship_to_business',
  'atm_option', 'nfc_option', 'online_option', 'foreign_option', 'atm_monthly_limit', 'atm_monthly_spent',
  'atm_daily_limit', 'atm_daily_spent', 'atm_daily_limit_option', 'payment_monthly_limit', 'payment_monthly_spent',
  'payment_daily_limit', 'payment_daily_spent', 'payment_daily_limit_option', 'payment_transaction_limit',
  'payment_transaction_limit_option', 'payment_lifespan_limit', 'payment_lifespan_spent', 'active_days',
  'categories', 'pre_expires_at', 'shipped_at', 'address', 'renewed', 'renewal', 'parent_card_id',
  'parent_last_digits', 'had_operation', 'had_pin_operation', 'card_design', 'type_of_print', 'upsold', 'upsell',
  'discard_on', 'reordered', 'has_only_user_liftable_locks', 'created_at', 'updated_at', 'search_text', 'api_json',
] as const satisfies ReadonlyArray<WrittenColumn>;
type WrittenColumn = Exclude<keyof CardsTable, 'id' | 'organization_id' | 'pan' | 'cvv' | 'version'>;
// Every column is in the list: a column added to CardsTable and forgotten here fails to compile.
const everyColumnWritten: Exclude<WrittenColumn, (typeof WRITTEN_COLUMNS)[number]> extends never ? true : never = true;
void everyColumnWritten;

// The SET list, fixed text: the statement is prepared once per connection whatever the batch, and its text is
// compiled once (fixedText).
const SET_WRITTEN = fixedText(sql.join(WRITTEN_COLUMNS.map((c) => sql`${sql.id(c)} = w.${sql.id(c)}`)));

/** A write as one element of the statement's jsonb array, read back as a `cards` row (jsonb_populate_recordset). */
function writeJson(w: CardWrite) {
  const { pan: _pan, cvv: _cvv, ...card } = w.card;
  return { ...card, ...derivedColumns(w.card, w.holder), version: w.version };
}

const returnedListsByColumns = new WeakMap<readonly string[], { nulls: RawBuilder<unknown>; columns: RawBuilder<unknown> }>();

/** `returned`'s columns as the select lists of the cards' rows (NULLs named r_<column>) and of its own, compiled once. */
function returnedLists(columns: readonly string[]): { nulls: RawBuilder<unknown>; columns: RawBuilder<unknown> } {
  let lists = returnedListsByColumns.get(columns);
  if (!lists) {
    lists = {
      nulls: fixedText(sql.join(columns.map((c) => sql`NULL AS ${sql.id(`r_${c}`)}`))),
      columns: fixedText(sql.join(columns.map((c) => sql.id(c)))),
    };
    returnedListsByColumns.set(columns, lists);
  }
  return lists;
}

/**
 * Writes each card only if its row is still at the version the change was decided on, together with
 * `alongside`, whose CTEs may guard on the CTE `changed` (the ids of the cards written), in ONE statement: one
 * round trip and one commit for the lot, and no explicit transaction. A statement is atomic: if it fails,
 * nothing of it was written. The cards must be distinct. `versions` are the rows' new versions in input order,
 * null where nothing was written for the card: it changed since it was read, or another transaction holds its
 * row. The rows are locked in id order and a row locked elsewhere is skipped, not waited for: a statement of
 * many cards never deadlocks with another, nor waits with all its cards on one.
 */
export async function saveCardsIfUnchanged(
  db: Executor, writes: CardWrite[], alongside: Alongside | null,
): Promise<{ versions: Array<number | null>; tally: number; returnedRows: Array<Record<string, unknown>> }> {
  const returned = alongside?.returned;
  const lists = returned && returnedLists(returned.columns);
  // The cards' rows and `returned`'s in one result, told apart by the card id, which only the cards' have.
  const result = await executePrepared(db, sql<{ id: string | null; version: number; tally: number } & Record<string, unknown>>`
    WITH written AS (
      SELECT * FROM jsonb_populate_recordset(NULL::cards, ${JSON.stringify(writes.map(writeJson))}::jsonb)
    ),
    locked AS (
      SELECT cards.id FROM cards JOIN written w
        ON cards.id = w.id AND cards.organization_id = w.organization_id AND cards.version = w.version
      -- The ids again, as an array the primary key is searched with: joined with the function's rows alone, a
      -- small table (its 100-row guess against a few thousand cards) was read whole for every statement.
      WHERE cards.id = ANY (${writes.map((w) => w.card.id)}::uuid[])
      ORDER BY cards.id
      FOR NO KEY UPDATE OF cards SKIP LOCKED
    ),
    changed AS (
      UPDATE cards SET ${SET_WRITTEN} FROM written w
      WHERE cards.id = w.id AND cards.id IN (SELECT id FROM locked)
      RETURNING cards.id, cards.version
    )${alongside ? sql`, ${alongside.ctes}` : sql``}
    SELECT id, version, ${alongside ? alongside.tally : sql`0`} AS tally
      ${returned && lists ? sql`, ${lists.nulls}` : sql``}
    FROM changed
    ${returned && lists ? sql`UNION ALL SELECT NULL, NULL, NULL, ${lists.columns} FROM ${sql.id(returned.from)}` : sql``}
  `);
  const versions = new Map<string, number>();
  const rows: Array<Record<string, unknown>> = [];
  let tally = 0;
  for (const r of result.rows) {
    if (r.id !== null) {
      versions.set(r.id, r.version);
      tally = r.tally;
    } else if (returned) {
      rows.push(Object.fromEntries(returned.columns.map((c) => [c, r[`r_${c}`]])));
    }
  }
  return { versions: writes.map((w) => versions.get(w.card.id) ?? null), tally, returnedRows: rows };
}
