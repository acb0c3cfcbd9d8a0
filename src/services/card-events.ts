import { sql } from 'kysely';
import { timeOrderedId } from '../db/ids.ts';
import { executePrepared, fixedText } from '../db/prepared.ts';
import type { Alongside, Executor } from '../db/queries/cards.ts';
import type { CardEventName } from '../db/schema.ts';
import { cardWebhookData, type CardRecord } from '../domain/card.ts';
import { dueNow, type QueuedDelivery } from '../webhooks/delivery-store.ts';
import { cardEnvelope } from '../webhooks/envelope.ts';
import type { HandoffTerms } from '../webhooks/handoff.ts';

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
  const id = timeOrderedId();
  const events = cardEventsCtes([{ id, ...input }]);
  const result = await executePrepared(trx, sql<{ queued: number }>`WITH ${events.ctes} SELECT ${events.tally} AS queued`);
  return { id, queued: result.rows[0]!.queued };
}

/** An event to record, with its id. */
export type IdentifiedEvent = CardEventInput & { id: string };

/** An event as one element of the statement's jsonb array (read back by jsonb_to_recordset below). */
function eventJson({ id, card, event, actorMembershipId, at }: IdentifiedEvent) {
  return {
    id, event, at,
    card_id: card.id,
    organization_id: card.organization_id,
    holder_id: card.holder_id,
    actor_membership_id: actorMembershipId,
    // Serialized once, in the seed's key order, and stored as this very text (card_events.data is json): the
    // deliveries' bodies are built from it (src/webhooks/envelope.ts).
    data: JSON.stringify(cardWebhookData(card, event)),
  };
}

/**
 * The event rows and their deliveries as data-modifying CTEs (`events`, `event_row`, `queued`), to be run inside
 * one statement: PostgreSQL runs each exactly once whether or not the main query reads it, and every card write
 * pays a round trip per statement, which is what bounds the write path (BENCHMARKS.md, "Card writes"). With
 * `onlyIf`, the name of an earlier CTE of the same statement returning card ids, an event and its deliveries
 * are inserted only if its card is among them: the card update they follow happened. `tally` is the number of
 * deliveries queued due, for the workers' claims (wake them once committed). With `handoff` (the terms of this
 * process's worker, src/webhooks/handoff.ts) the others are queued leased to that worker and returned
 * (`handedDeliveries`), to be given to it once committed.
 *
 * One delivery per event and active `v1/cards` subscription of the card's organization whose owner may see the
 * card (CONTRACT.md "Who sees which cards": owners, admins and reporting every card; managers their team's
 * holders'; employees their own): a subscription never reveals a card its creator could not GET. The rows store
 * no body: it is built from the event when sent (src/webhooks/envelope.ts), here for the deliveries handed over.
 */
export function cardEventsCtes(events: IdentifiedEvent[], onlyIf?: string, handoff?: HandoffTerms): Alongside {
  const guard = onlyIf === undefined ? sql`TRUE` : sql`e.card_id IN (SELECT id FROM ${sql.id(onlyIf)})`;
  // Handed over: queued leased to this process's worker, with the attempt its claim would have counted.
  const isHanded = handoff ? sql`s.id <> ALL (${handoff.skip}::uuid[])` : sql`FALSE`;
  const ctes = sql`
    events AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(events.map(eventJson))}::jsonb) AS e(
        id uuid, card_id uuid, organization_id uuid, holder_id uuid, event text, actor_membership_id uuid,
        data text, at timestamptz)
      WHERE ${guard}
    ),
    event_row AS (
      INSERT INTO card_events (id, organization_id, card_id, event, actor_membership_id, data, created_at)
      SELECT id, organization_id, card_id, event, actor_membership_id, data::json, at FROM events
    ),
    targets AS (
      SELECT qcards_time_ordered_id() AS id, s.organization_id, s.id AS subscription_id,
        e.id AS event_id, e.event, e.at, ${isHanded} AS handed
      FROM events e
      JOIN webhook_subscriptions s ON s.organization_id = e.organization_id
      JOIN memberships m ON m.id = s.membership_id
      WHERE s.status = 'active'
        AND 'v1/cards' = ANY (s.types)
        AND (
          m.role IN ('owner', 'admin', 'reporting')
          OR m.id = e.holder_id
          OR (m.role = 'manager' AND m.team_id = (SELECT team_id FROM memberships WHERE id = e.holder_id))
        )
    ),
    logged AS (
      INSERT INTO webhook_deliveries (id, organization_id, subscription_id, event_id, type, event, created_at)
      SELECT id, organization_id, subscription_id, event_id, 'v1/cards', event, at FROM targets
    ),
    queued AS (
      INSERT INTO webhook_queue (delivery_id, subscription_id, next_attempt_at, attempts)
      SELECT id, subscription_id,
        CASE WHEN handed THEN ${handoff?.leaseUntil ?? null}::timestamptz ELSE ${dueNow(sql`at`)} END,
        CASE WHEN handed THEN 1 ELSE 0 END
      FROM targets
    )${handoff ? sql`,
    handed AS (
      SELECT t.id, t.subscription_id, t.organization_id, ${HANDED_BODY} AS body, 1 AS attempts, s.secret, s.callback_url
      FROM targets t JOIN webhook_subscriptions s ON s.id = t.subscription_id JOIN events e ON e.id = t.event_id
      WHERE t.handed
    )` : sql``}`;
  return {
    ctes,
    tally: sql<number>`(SELECT count(*)::int FROM targets WHERE NOT handed)`,
    returned: handoff ? { from: 'handed', columns: HANDED_COLUMNS } : undefined,
  };
}

/** The body of a delivery handed over, from the `handed` CTE's tables (compiled once: fixedText). */
const HANDED_BODY = fixedText(cardEnvelope({
  id: sql`t.id`, subscriptionId: sql`t.subscription_id`, organizationId: sql`t.organization_id`,
  membershipId: sql`s.membership_id`, createdAt: sql`e.at`, data: sql`e.data`,
}));

/** Every field of a QueuedDelivery, as the `handed` CTE names them. */
const HANDED_COLUMNS = ['id', 'subscription_id', 'organization_id', 'body', 'attempts', 'secret', 'callback_url'] as const satisfies ReadonlyArray<keyof QueuedDelivery>;
const everyFieldReturned: Exclude<keyof QueuedDelivery, (typeof HANDED_COLUMNS)[number]> extends never ? true : never = true;
void everyFieldReturned;

/**
 * The deliveries handed over, from the rows `saveCardsIfUnchanged` returned for `cardEventsCtes(…, handoff)`:
 * rows of HANDED_COLUMNS, which are QueuedDelivery's fields, so the cast holds.
 */
export const handedDeliveries = (rows: Array<Record<string, unknown>>): QueuedDelivery[] => rows as unknown as QueuedDelivery[];
