import { sql, type RawBuilder, type Transaction } from 'kysely';
import { cardSearchText, renderCardJson, type CardRecord, type HolderName } from '../../domain/card.ts';
import type { Db } from '../engine.ts';
import { executePrepared } from '../prepared.ts';
import type { Database } from '../schema.ts';

// Card rows are written only through these functions, which keep `api_json` and `search_text` in step with
// the columns they are derived from.

export type Executor = Db | Transaction<Database>;

function rowOf(card: CardRecord, holder: HolderName) {
  return {
    ...card,
    address: card.address === null ? null : JSON.stringify(card.address),
    search_text: cardSearchText(card, holder),
    api_json: renderCardJson(card),
  };
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
 * for `saveCardIfUnchanged`. Without `forUpdate` nothing is locked and a concurrent change shows as a version
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

/** CTEs that run in the same statement as a card write (a card event's: `cardEventCtes(…, 'changed')`). */
export interface Alongside {
  ctes: RawBuilder<unknown>;
  /** A number computed from them and returned as `tally` (a card event's: the deliveries it queued). */
  tally: RawBuilder<number>;
}

/**
 * Writes every column of a card read by `findCard`, only if the row is still at `version`, together with
 * `alongside`, whose CTEs may guard on the CTE `changed` (the card's id if it was written). One statement, so one
 * round trip and no explicit transaction. `version` comes back as the row's new version, or null, and nothing
 * was written, when the card changed since it was read.
 */
export async function saveCardIfUnchanged(
  db: Executor, card: CardRecord, holder: HolderName, version: number, alongside: Alongside | null,
): Promise<{ version: number | null; tally: number }> {
  const update = cardUpdate(db, card, holder).where('version', '=', version).returning(['id', 'version']);
  const result = await executePrepared(db, sql<{ version: number | null; tally: number }>`
    WITH changed AS (${update})${alongside ? sql`, ${alongside.ctes}` : sql``}
    SELECT max(version) AS version, ${alongside ? alongside.tally : sql`0`} AS tally FROM changed
  `);
  const row = result.rows[0]!;
  return { version: row.version, tally: row.tally };
}
