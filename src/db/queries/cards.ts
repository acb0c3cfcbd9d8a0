import type { Transaction } from 'kysely';
import { cardSearchText, renderCardJson, type CardRecord, type HolderName } from '../../domain/card.ts';
import type { Db } from '../engine.ts';
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

/** Writes every column of an existing card (and its derived text) from the record. */
export async function saveCard(db: Executor, card: CardRecord, holder: HolderName): Promise<void> {
  const { id, organization_id: _org, ...rest } = rowOf(card, holder);
  await db.updateTable('cards').set(rest).where('id', '=', id).where('organization_id', '=', card.organization_id).execute();
}

export interface CardWithHolder {
  card: CardRecord;
  holder: HolderName;
}

/**
 * One card of an organization with its holder's name; `forUpdate` locks the row for the rest of the
 * transaction so concurrent writes on one card apply one after the other.
 */
export async function findCard(
  db: Executor,
  organizationId: string,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<CardWithHolder | undefined> {
  let query = db
    .selectFrom('cards')
    .innerJoin('memberships', 'memberships.id', 'cards.holder_id')
    .selectAll('cards')
    .select(['memberships.first_name as holder_first_name', 'memberships.last_name as holder_last_name'])
    .where('cards.organization_id', '=', organizationId)
    .where('cards.id', '=', id);
  if (options.forUpdate) query = query.forUpdate('cards');
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  const { search_text: _s, api_json: _a, holder_first_name, holder_last_name, ...card } = row;
  return { card, holder: { first_name: holder_first_name, last_name: holder_last_name } };
}
