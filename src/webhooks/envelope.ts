import { sql, type RawBuilder } from 'kysely';

// The body of a card event's delivery: the seed's envelope, in its key order, built in SQL from the delivery row,
// its subscription and its event whenever it is sent or shown, instead of stored in every delivery row (migration
// 016). Stored, the ~1.2 KB body was written again with every version of the row (queued, claimed, recorded) and
// for every subscription: a row of 1,328 bytes on average against 168 now. Built from the same columns
// each time, the bytes are the same on every try: the event's data is kept as the exact text it was written
// with (card_events.data is `json`, which keeps its input as is) and its time is formatted as isoSeconds does.
// Test events have no card event: their body is stored (webhook_deliveries.body is null for the others).

/** SQL columns (or expressions) an envelope is built from. */
export interface EnvelopeParts {
  id: RawBuilder<unknown>;
  subscriptionId: RawBuilder<unknown>;
  organizationId: RawBuilder<unknown>;
  membershipId: RawBuilder<unknown>;
  /** The event's time (timestamptz). */
  createdAt: RawBuilder<unknown>;
  /** The event's data (json or text). */
  data: RawBuilder<unknown>;
}

/** The `v1/cards` envelope as text; every value concatenated in is a uuid, a formatted time or JSON text. */
export function cardEnvelope(p: EnvelopeParts): RawBuilder<string> {
  return sql<string>`('{"id":"' || ${p.id} || '","subscription_id":"' || ${p.subscriptionId}
    || '","organization_id":"' || ${p.organizationId} || '","membership_id":"' || ${p.membershipId}
    || '","type":"v1/cards","created_at":"' || to_char(${p.createdAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    || '","data":' || ${p.data}::text || '}')`;
}

/**
 * The body of the delivery `d` (a webhook_deliveries alias) as sent: its stored body (a test event's), else the
 * envelope of its card event `e` (card_events, joined on d.event_id) for its subscription, whose owner is
 * `membershipId` (a column of a joined subscription, or the value when the subscription is known already).
 */
export function deliveryBody(d: string, e: string, membershipId: RawBuilder<unknown>): RawBuilder<string> {
  const col = (table: string, column: string) => sql.ref(`${table}.${column}`);
  return sql<string>`coalesce(${col(d, 'body')}, ${cardEnvelope({
    id: col(d, 'id'), subscriptionId: col(d, 'subscription_id'), organizationId: col(d, 'organization_id'),
    membershipId, createdAt: col(e, 'created_at'), data: col(e, 'data'),
  })})`;
}
