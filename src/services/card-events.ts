import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { executePrepared } from '../db/prepared.ts';
import type { Alongside, Executor } from '../db/queries/cards.ts';
import type { CardEventName } from '../db/schema.ts';
import { cardWebhookData, isoSeconds, type CardRecord } from '../domain/card.ts';
import { dueNow } from '../webhooks/delivery-store.ts';

export interface CardEventInput {
  card: CardRecord;
  event: CardEventName;
  actorMembershipId: string | null;
  at: Date;
}

export interface RecordedEvent {
  /** The card event id. */
  id: string;
  /** Webhook deliveries queued for it: when > 0, `wakeWorkers` once the transaction has committed. */
  queued: number;
}

/**
 * Records one `v1/cards` event for a change, with the card as it is after the change, and queues its webhook
 * deliveries (the transactional outbox). Must be called with the transaction that makes the change: the event
 * and its deliveries exist if and only if the change committed.
 */
export async function recordCardEvent(trx: Executor, input: CardEventInput): Promise<RecordedEvent> {
  const id = randomUUID();
  const event = cardEventCtes(id, input);
  const result = await executePrepared(trx, sql<{ queued: number }>`WITH ${event.ctes} SELECT ${event.tally} AS queued`);
  return { id, queued: result.rows[0]!.queued };
}

/**
 * The event row and its deliveries as two data-modifying CTEs (`event_row`, `queued`), to be run inside one
 * statement: PostgreSQL runs each exactly once whether or not the main query reads it, and every card write
 * pays a round trip per statement, which is what bounds the write path (BENCHMARKS.md, "Card writes"). With
 * `onlyIf`, the name of an earlier CTE of the same statement, both insert nothing unless that CTE returned a
 * row: the card update they follow happened. `tally` is the number of deliveries queued.
 *
 * One delivery per active `v1/cards` subscription of the card's organization whose owner may see the card
 * (CONTRACT.md "Who sees which cards": owners, admins and reporting every card; managers their team's
 * holders'; employees their own): a subscription never reveals a card its creator could not GET. The body is
 * the envelope of the seed, in its key order; every value concatenated in is a uuid column or a parameter
 * that is already JSON text.
 */
export function cardEventCtes(eventId: string, input: CardEventInput, onlyIf?: string): Alongside {
  // Serialized once, in the seed's key order; card_events.data is jsonb (which reorders keys), so the
  // delivery body is built from this text, not from the stored column.
  const data = JSON.stringify(cardWebhookData(input.card, input.event));
  const createdAt = JSON.stringify(isoSeconds(input.at));
  const { id: cardId, organization_id: orgId, holder_id: holder } = input.card;
  const guard = onlyIf === undefined ? sql`TRUE` : sql`EXISTS (SELECT 1 FROM ${sql.id(onlyIf)})`;
  const ctes = sql`
    event_row AS (
      INSERT INTO card_events (id, organization_id, card_id, event, actor_membership_id, data, created_at)
      SELECT ${eventId}::uuid, ${orgId}::uuid, ${cardId}::uuid, ${input.event}::text,
        ${input.actorMembershipId}::uuid, ${data}::jsonb, ${input.at}::timestamptz
      WHERE ${guard}
    ),
    queued AS (
      INSERT INTO webhook_deliveries (id, organization_id, subscription_id, event_id, type, event, body, next_attempt_at, created_at)
      SELECT x.id, x.organization_id, x.subscription_id, ${eventId}::uuid, 'v1/cards', ${input.event}::text,
        '{"id":"' || x.id || '","subscription_id":"' || x.subscription_id || '","organization_id":"' || x.organization_id
          || '","membership_id":"' || x.membership_id || '","type":"v1/cards","created_at":' || ${createdAt}::text
          || ',"data":' || ${data}::text || '}',
        ${dueNow(input.at)}, ${input.at}::timestamptz
      FROM (
        SELECT gen_random_uuid() AS id, s.organization_id, s.id AS subscription_id, s.membership_id
        FROM webhook_subscriptions s
        JOIN memberships m ON m.id = s.membership_id
        WHERE s.organization_id = ${orgId}::uuid
          AND s.status = 'active'
          AND 'v1/cards' = ANY (s.types)
          AND (
            m.role IN ('owner', 'admin', 'reporting')
            OR m.id = ${holder}::uuid
            OR (m.role = 'manager' AND m.team_id = (SELECT team_id FROM memberships WHERE id = ${holder}::uuid))
          )
      ) AS x
      WHERE ${guard}
      RETURNING 1
    )`;
  return { ctes, tally: sql<number>`(SELECT count(*)::int FROM queued)` };
}
