import type { Db } from '../db/engine.ts';
import { findCard, saveCard, type Executor } from '../db/queries/cards.ts';
import { inTransaction } from '../db/transaction.ts';
import type { CardRecord } from '../domain/card.ts';
import { decideSpend, rollOver, type SpendDecision, type SpendRequest } from '../domain/card-spending.ts';
import type { Clock } from '../domain/clock.ts';
import { parisDate, type ParisDate } from '../domain/paris-time.ts';
import type { Principal } from './credentials.ts';
import { assertMayWrite, findVisibleCardForUpdate } from './card-writes.ts';

// The sandbox's simulated card payments and the lazy roll-over of the spending counters. A payment is not a
// Qonto card event, so it writes the card (its counters and activity) but no card_events row.

async function periodOf(trx: Executor, cardId: string) {
  return trx.selectFrom('card_spending_periods').select(['day', 'month']).where('card_id', '=', cardId).executeTakeFirst();
}

async function setPeriod(trx: Executor, card: CardRecord, today: ParisDate): Promise<void> {
  await trx.insertInto('card_spending_periods')
    .values({ card_id: card.id, organization_id: card.organization_id, day: today.day, month: today.month })
    .onConflict((oc) => oc.column('card_id').doUpdateSet({ day: today.day, month: today.month }))
    .execute();
}

export async function simulateSpend(db: Db, clock: Clock, p: Principal, cardId: string, request: SpendRequest): Promise<SpendDecision> {
  return inTransaction(db, async (trx) => {
    const { card, holder } = await findVisibleCardForUpdate(trx, p, cardId);
    assertMayWrite(p, 'admin_or_holder', card);
    const now = clock.now();
    const today = parisDate(now);
    const current = rollOver(card, await periodOf(trx, card.id), today);
    const decision = decideSpend(current, request, now, today);
    await saveCard(trx, decision.card, holder);
    await setPeriod(trx, decision.card, today);
    return decision;
  });
}

/**
 * Resets the counters of cards whose period has ended, so the API stops showing yesterday's spending within
 * one scheduler tick of midnight in Paris. One batch per transaction; SKIP LOCKED lets several servers share it.
 */
export async function rollOverStaleCounters(db: Db, clock: Clock, batchSize = 200): Promise<number> {
  const today = parisDate(clock.now());
  return inTransaction(db, async (trx) => {
    const stale = await trx.selectFrom('card_spending_periods').select(['card_id', 'organization_id', 'day', 'month'])
      .where('day', '<', today.day).limit(batchSize).forUpdate().skipLocked().execute();
    for (const row of stale) {
      const found = await findCard(trx, row.organization_id, row.card_id, { forUpdate: true });
      if (found) await saveCard(trx, rollOver(found.card, row, today), found.holder);
      await setPeriod(trx, { id: row.card_id, organization_id: row.organization_id } as CardRecord, today);
    }
    return stale.length;
  });
}
