import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Executor } from '../db/queries/cards.ts';
import type { CardEventName } from '../db/schema.ts';
import { cardWebhookData, isoSeconds, type CardRecord } from '../domain/card.ts';

/**
 * Records one `v1/cards` event for a change, with the card as it is after the change, and queues its webhook
 * deliveries (the transactional outbox). Must be called with the transaction that makes the change: the event
 * and its deliveries exist if and only if the change committed. Returns the card event id.
 */
export async function recordCardEvent(
  trx: Executor,
  input: { card: CardRecord; event: CardEventName; actorMembershipId: string | null; at: Date },
): Promise<string> {
  const id = randomUUID();
  // Serialized once, in the seed's key order; card_events.data is jsonb (which reorders keys), so the
  // delivery body is built from this text, not from the stored column.
  const data = JSON.stringify(cardWebhookData(input.card, input.event));
  await recordAndQueue(trx, { eventId: id, card: input.card, event: input.event, actor: input.actorMembershipId, data, at: input.at });
  return id;
}

/**
 * The event row and its deliveries in ONE statement (the event insert is a data-modifying CTE, which PostgreSQL
 * runs exactly once whether or not the main query reads it): every card write pays a round trip per statement,
 * and round trips are what bounds the write path (BENCHMARKS.md, "Card writes").
 *
 * One delivery per active `v1/cards` subscription of the card's organization whose owner may see the card
 * (CONTRACT.md "Who sees which cards": owners, admins and reporting every card; managers their team's
 * holders'; employees their own): a subscription never reveals a card its creator could not GET. One
 * statement, so the outbox costs one round trip per change however many subscriptions there are. The body is
 * the envelope of the seed, in its key order; every value concatenated in is a uuid column or a parameter
 * that is already JSON text.
 */
async function recordAndQueue(
  trx: Executor,
  input: { eventId: string; card: CardRecord; event: CardEventName; actor: string | null; data: string; at: Date },
): Promise<void> {
  const createdAt = JSON.stringify(isoSeconds(input.at));
  const holder = input.card.holder_id;
  await sql`
    WITH event_row AS (
      INSERT INTO card_events (id, organization_id, card_id, event, actor_membership_id, data, created_at)
      VALUES (${input.eventId}::uuid, ${input.card.organization_id}::uuid, ${input.card.id}::uuid, ${input.event}::text,
        ${input.actor}::uuid, ${input.data}::jsonb, ${input.at}::timestamptz)
    )
    INSERT INTO webhook_deliveries (id, organization_id, subscription_id, event_id, type, event, body, next_attempt_at, created_at)
    SELECT x.id, x.organization_id, x.subscription_id, ${input.eventId}::uuid, 'v1/cards', ${input.event}::text,
      '{"id":"' || x.id || '","subscription_id":"' || x.subscription_id || '","organization_id":"' || x.organization_id
        || '","membership_id":"' || x.membership_id || '","type":"v1/cards","created_at":' || ${createdAt}::text
        || ',"data":' || ${input.data}::text || '}',
      ${input.at}::timestamptz, ${input.at}::timestamptz
    FROM (
      SELECT gen_random_uuid() AS id, s.organization_id, s.id AS subscription_id, s.membership_id
      FROM webhook_subscriptions s
      JOIN memberships m ON m.id = s.membership_id
      WHERE s.organization_id = ${input.card.organization_id}::uuid
        AND s.status = 'active'
        AND 'v1/cards' = ANY (s.types)
        AND (
          m.role IN ('owner', 'admin', 'reporting')
          OR m.id = ${holder}::uuid
          OR (m.role = 'manager' AND m.team_id = (SELECT team_id FROM memberships WHERE id = ${holder}::uuid))
        )
    ) AS x
  `.execute(trx);
}
