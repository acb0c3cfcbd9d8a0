import type { Db } from '../db/engine.ts';
import { findCard, saveCard, type Executor } from '../db/queries/cards.ts';
import { inTransaction } from '../db/transaction.ts';
import type { CardRecord, HolderName } from '../domain/card.ts';
import { canSeeCard, mayWrite, type Actor, type WriteRule } from '../domain/card-access.ts';
import { applyChange, type CardChange } from '../domain/card-changes.ts';
import type { Clock } from '../domain/clock.ts';
import { forbidden, notFound } from '../domain/errors.ts';
import { recordCardEvent } from './card-events.ts';
import type { Principal } from './credentials.ts';

// Every change to an existing card, one transaction each: lock the row, check who may, ask the domain for the
// move, write the card (and its pre-rendered JSON) and its event. A refusal throws before anything is written,
// and a failure anywhere rolls back the card and the event together.

export const actorOf = (p: Principal): Actor => ({ role: p.role, membershipId: p.membershipId, teamId: p.teamId });

async function holderTeam(db: Executor, holderId: string): Promise<string | null> {
  const row = await db.selectFrom('memberships').select('team_id').where('id', '=', holderId).executeTakeFirst();
  return row?.team_id ?? null;
}

/** A card of the caller's organization they may see, locked for the transaction; 404 for anything else. */
export async function findVisibleCardForUpdate(
  trx: Executor, principal: Principal, cardId: string,
): Promise<{ card: CardRecord; holder: HolderName }> {
  const found = await findCard(trx, principal.organizationId, cardId, { forUpdate: true });
  if (!found) throw notFound('card');
  const actor = actorOf(principal);
  const team = actor.role === 'manager' ? await holderTeam(trx, found.card.holder_id) : null;
  if (!canSeeCard(actor, found.card, team)) throw notFound('card');
  return found;
}

export function assertMayWrite(principal: Principal, rule: WriteRule, card: CardRecord): void {
  if (!mayWrite(actorOf(principal), rule, card)) {
    throw forbidden(rule === 'admin_only'
      ? 'only owners and admins of the organization may do this'
      : 'only owners, admins and the card holder may do this');
  }
}

export const RULE_OF: Record<CardChange['kind'], WriteRule> = {
  activate: 'admin_or_holder',
  lock: 'admin_or_holder',
  unlock: 'admin_only',
  lost: 'admin_or_holder',
  stolen: 'admin_or_holder',
  discard: 'admin_or_holder',
  expire: 'admin_only',
  pre_expire: 'admin_only',
  nickname: 'admin_only',
  limits: 'admin_only',
  options: 'admin_only',
  restrictions: 'admin_only',
};

export async function changeCard(db: Db, clock: Clock, principal: Principal, cardId: string, change: CardChange): Promise<CardRecord> {
  return inTransaction(db, async (trx) => {
    const { card, holder } = await findVisibleCardForUpdate(trx, principal, cardId);
    assertMayWrite(principal, RULE_OF[change.kind], card);
    const now = clock.now();
    const result = applyChange(card, change, now);
    await saveCard(trx, result.card, holder);
    if (result.event) {
      await recordCardEvent(trx, { card: result.card, event: result.event, actorMembershipId: principal.membershipId, at: now });
    }
    return result.card;
  });
}
