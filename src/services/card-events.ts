import { randomUUID } from 'node:crypto';
import type { Executor } from '../db/queries/cards.ts';
import type { CardEventName } from '../db/schema.ts';
import { cardWebhookData, type CardRecord } from '../domain/card.ts';

/**
 * Records one `v1/cards` event for a change, with the card as it is after the change. Must be called with the
 * transaction that makes the change: the event exists if and only if the change committed.
 */
export async function recordCardEvent(
  trx: Executor,
  input: { card: CardRecord; event: CardEventName; actorMembershipId: string | null; at: Date },
): Promise<string> {
  const id = randomUUID();
  await trx
    .insertInto('card_events')
    .values({
      id,
      organization_id: input.card.organization_id,
      card_id: input.card.id,
      event: input.event,
      actor_membership_id: input.actorMembershipId,
      data: JSON.stringify(cardWebhookData(input.card, input.event)),
      created_at: input.at,
    })
    .execute();
  return id;
}
