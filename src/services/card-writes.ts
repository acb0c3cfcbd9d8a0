import type { Db } from '../db/engine.ts';
import { timeOrderedId } from '../db/ids.ts';
import { findCard, saveCardsIfUnchanged, type CardForChange, type CardWrite, type Executor } from '../db/queries/cards.ts';
import { inTransaction } from '../db/transaction.ts';
import type { CardRecord } from '../domain/card.ts';
import { canSeeCard, mayWrite, type Actor, type WriteRule } from '../domain/card-access.ts';
import { applyChange, type CardChange } from '../domain/card-changes.ts';
import type { Clock } from '../domain/clock.ts';
import { ApiError, forbidden, notFound } from '../domain/errors.ts';
import { wakeWorkers } from '../webhooks/wake.ts';
import { forgetCard, rememberCard, rememberedCard } from './card-cache.ts';
import { cardEventsCtes, type IdentifiedEvent } from './card-events.ts';
import { saveCardInBatch } from './card-write-batches.ts';
import type { Principal } from './credentials.ts';

// Every change to an existing card: read it, check who may, ask the domain for the move, then write the card
// (and its pre-rendered JSON) and its event in ONE statement that applies only if the card is still as it was
// read. The write path is bound by the CPU each round trip and statement costs (BENCHMARKS.md, "Card writes"):
// this makes a change two round trips (the read, the write; three when the authentication is not cached)
// instead of six, with no BEGIN, row lock or COMMIT; one when this process wrote the card last and nobody
// changed it since (./card-cache.ts); and the write statement is shared with the changes of concurrent requests
// (./card-write-batches.ts). A refusal throws before anything is written; the statement is atomic, so the card
// and its event are written together or not at all.

export const actorOf = (p: Principal): Actor => ({ role: p.role, membershipId: p.membershipId, teamId: p.teamId });

/** Optimistic tries before falling back to a row lock, which always succeeds (a card under heavy contention). */
const OPTIMISTIC_TRIES = 3;

async function findVisibleCard(db: Executor, principal: Principal, cardId: string, forUpdate: boolean): Promise<CardForChange> {
  const found = await findCard(db, principal.organizationId, cardId, { forUpdate });
  if (!found || !canSeeCard(actorOf(principal), found.card, found.holderTeamId)) throw notFound('card');
  return found;
}

/** A card of the caller's organization they may see, locked for the transaction; 404 for anything else. */
export const findVisibleCardForUpdate = (trx: Executor, principal: Principal, cardId: string): Promise<CardForChange> =>
  findVisibleCard(trx, principal, cardId, true);

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

/** Writes a decided change: its new row version and the deliveries it queued, or null (nothing written) when the row is no longer at `write.version`. */
type Save = (write: CardWrite, event: IdentifiedEvent | null) => Promise<{ version: number | null; queued: number }>;

/** In a statement shared with other requests' changes (./card-write-batches.ts, which wakes the workers itself). */
const batched = (db: Db): Save => async (write, event) => ({ version: await saveCardInBatch(db, write, event), queued: 0 });

/** In the caller's transaction, on a row it has locked. */
const inLockedRow = (trx: Executor): Save => async (write, event) => {
  const { versions, tally } = await saveCardsIfUnchanged(trx, [write], event ? cardEventsCtes([event], 'changed') : null);
  return { version: versions[0]!, queued: tally };
};

export async function changeCard(db: Db, clock: Clock, principal: Principal, cardId: string, change: CardChange): Promise<CardRecord> {
  let written = await tryRemembered(db, clock, principal, cardId, change);
  for (let attempt = 1; attempt <= OPTIMISTIC_TRIES && !written; attempt++) {
    written = await tryChange(batched(db), clock, principal, await findVisibleCard(db, principal, cardId, false), change);
  }
  written ??= await inTransaction(db, async (trx) => {
    const locked = await tryChange(inLockedRow(trx), clock, principal, await findVisibleCardForUpdate(trx, principal, cardId), change);
    if (!locked) throw new Error(`card ${cardId} changed while locked`);
    return locked;
  });
  rememberCard(db, written.after);
  if (written.queued > 0) wakeWorkers(db);
  return written.after.card;
}

interface Written {
  /** The card as written, with its new row version. */
  after: CardForChange;
  /** Webhook deliveries queued with its event that are still to be announced to the workers. */
  queued: number;
}

/**
 * The change made on top of the card as this process last wrote it (./card-cache.ts), without reading it first:
 * null, with nothing written, when it is not remembered or the row is no longer that version. A refusal (404,
 * 403, 422) is never answered from the remembered copy, which may be old: it forgets the card, and the caller
 * decides again on a fresh read.
 */
async function tryRemembered(db: Db, clock: Clock, principal: Principal, cardId: string, change: CardChange): Promise<Written | null> {
  const remembered = rememberedCard(db, cardId);
  // Not the caller's to see: the read decides (a 404), and the entry stays for those who may.
  if (!remembered || remembered.card.organization_id !== principal.organizationId) return null;
  if (!canSeeCard(actorOf(principal), remembered.card, remembered.holderTeamId)) return null;
  try {
    const written = await tryChange(batched(db), clock, principal, remembered, change);
    if (written) return written;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
  }
  forgetCard(db, cardId);
  return null;
}

/** One decide-write on a card as read (or remembered); null when the row is no longer that version (nothing written). */
async function tryChange(save: Save, clock: Clock, principal: Principal, found: CardForChange, change: CardChange): Promise<Written | null> {
  assertMayWrite(principal, RULE_OF[change.kind], found.card);
  const now = clock.now();
  const result = applyChange(found.card, change, now);
  const event = result.event
    ? { id: timeOrderedId(), card: result.card, event: result.event, actorMembershipId: principal.membershipId, at: now }
    : null;
  const { version, queued } = await save({ card: result.card, holder: found.holder, version: found.version }, event);
  return version === null ? null : { after: { ...found, card: result.card, version }, queued };
}
