import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/engine.ts';
import { timeOrderedId } from '../db/ids.ts';
import type { DeliveryStatus } from '../db/schema.ts';
import { isoSeconds } from '../domain/card.ts';
import type { Clock } from '../domain/clock.ts';
import { badField, notFound, unprocessable } from '../domain/errors.ts';
import type { Principal } from './credentials.ts';
import { dueNow } from '../webhooks/delivery-store.ts';
import { cardEnvelope, deliveryBody } from '../webhooks/envelope.ts';
import { wakeWorkers } from '../webhooks/wake.ts';
import { findSubscription } from './webhook-subscriptions.ts';
import { isUuid } from '../domain/uuid.ts';

// qcards' own webhook log (/qcards/webhooks/v1/…): what was queued for a subscription, every attempt, and ways
// to send again. Everything is scoped like the subscription itself: the caller's own, in its organization.

export interface EventFilters {
  status?: DeliveryStatus | undefined;
  since?: Date | undefined;
  event?: string | undefined;
  page: number;
  perPage: number;
}


export async function listDeliveries(db: Db, principal: Principal, subscriptionId: string, filters: EventFilters) {
  const subscription = await findSubscription(db, principal, subscriptionId);
  // Qualified: the page's query joins the event, which has some of these columns too.
  let base = db.selectFrom('webhook_deliveries').where('webhook_deliveries.subscription_id', '=', subscription.id);
  if (filters.status) base = base.where('webhook_deliveries.status', '=', filters.status);
  if (filters.since) base = base.where('webhook_deliveries.created_at', '>=', filters.since);
  if (filters.event) base = base.where('webhook_deliveries.event', '=', filters.event);
  const [rows, count] = await Promise.all([
    base.leftJoin('card_events as e', 'e.id', 'webhook_deliveries.event_id')
      // A pending delivery's due time is its queue row's.
      .leftJoin('webhook_queue as q', 'q.delivery_id', 'webhook_deliveries.id')
      .select(['webhook_deliveries.id', 'webhook_deliveries.event_id', 'webhook_deliveries.type', 'webhook_deliveries.event',
        'webhook_deliveries.status', 'webhook_deliveries.created_at', 'q.next_attempt_at',
        'webhook_deliveries.delivered_at', 'webhook_deliveries.last_status_code', 'webhook_deliveries.last_error'])
      .select(deliveryBody('webhook_deliveries', 'e', sql`${subscription.membership_id}::uuid`).as('body'))
      .orderBy('webhook_deliveries.created_at', 'desc').orderBy('webhook_deliveries.id', 'desc')
      .limit(filters.perPage).offset((filters.page - 1) * filters.perPage).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const attempts = rows.length === 0 ? [] : await db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', 'in', rows.map((r) => r.id))
    .orderBy('attempted_at')
    .execute();
  const byDelivery = new Map<string, typeof attempts>();
  for (const a of attempts) byDelivery.set(a.delivery_id, [...(byDelivery.get(a.delivery_id) ?? []), a]);
  return {
    total: Number(count.n),
    events: rows.map((r) => ({
      id: r.id,
      event_id: r.event_id,
      type: r.type,
      event: r.event,
      status: r.status,
      created_at: isoSeconds(r.created_at)!,
      next_attempt_at: r.status === 'pending' && r.next_attempt_at ? r.next_attempt_at.toISOString() : null,
      delivered_at: r.delivered_at ? r.delivered_at.toISOString() : null,
      last_status_code: r.last_status_code,
      last_error: r.last_error,
      body: r.body,
      attempts: (byDelivery.get(r.id) ?? []).map((a) => ({
        attempted_at: a.attempted_at.toISOString(),
        status_code: a.status_code,
        latency_ms: a.latency_ms,
        error: a.error,
        response_excerpt: a.response_excerpt,
      })),
    })),
  };
}

async function activeSubscription(db: Db, principal: Principal, subscriptionId: string) {
  const subscription = await findSubscription(db, principal, subscriptionId);
  if (subscription.status !== 'active') {
    throw unprocessable('subscription_disabled', 'the subscription was disabled by a 410 Gone answer: PUT it to enable it again');
  }
  return subscription;
}


/**
 * Deliveries whose body can still be built: a stored one (test events), or their card event is still there (a
 * delivery past the retention may outlive its event until the next removal run).
 */
const sendable = sql<boolean>`(webhook_deliveries.body IS NOT NULL
  OR EXISTS (SELECT 1 FROM card_events e WHERE e.id = webhook_deliveries.event_id))`;

/**
 * Puts the subscription's deliveries that `which` selects (and whose body can still be built) back in the queue,
 * due now with a fresh retry schedule and the same ids, in one statement; a pending one stays queued, its schedule
 * started again. Returns how many.
 */
async function requeue(db: Db, clock: Clock, subscriptionId: string, which: RawBuilder<boolean>): Promise<number> {
  const row = await db
    .with('requeued', (qb) => qb.updateTable('webhook_deliveries')
      .set({ status: 'pending', last_error: null })
      .where('subscription_id', '=', subscriptionId)
      .where(sendable)
      .where(which)
      .returning(['id', 'subscription_id']))
    .with('queued', (qb) => qb.insertInto('webhook_queue')
      .columns(['delivery_id', 'subscription_id', 'next_attempt_at', 'attempts'])
      .expression((eb) => eb.selectFrom('requeued').select(['id', 'subscription_id', dueNow(clock.now()).as('next_attempt_at'), sql.lit(0).as('attempts')]))
      .onConflict((oc) => oc.column('delivery_id').doUpdateSet({ next_attempt_at: (eb) => eb.ref('excluded.next_attempt_at'), attempts: 0 }))
      .returning('delivery_id'))
    .selectFrom('requeued').select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Queues one event again, now, with a fresh retry schedule and the same id. */
export async function redeliver(db: Db, clock: Clock, principal: Principal, subscriptionId: string, deliveryId: string) {
  const subscription = await activeSubscription(db, principal, subscriptionId);
  const found = isUuid(deliveryId) && await requeue(db, clock, subscription.id, sql<boolean>`id = ${deliveryId}`) === 1;
  if (!found) throw notFound('webhook event', 'event_id');
  wakeWorkers(db);
  return deliveryId.toLowerCase();
}

/** Queues again every failed event, or every event created since `since`; returns how many. */
export async function replay(
  db: Db, clock: Clock, principal: Principal, subscriptionId: string, input: { status?: 'failed'; since?: string },
): Promise<number> {
  if ((input.status === undefined) === (input.since === undefined)) {
    throw badField('', 'invalid_replay', 'give exactly one of "status": "failed" or "since": "<date-time>"');
  }
  const subscription = await activeSubscription(db, principal, subscriptionId);
  const which = input.status ? sql<boolean>`status = 'failed'` : sql<boolean>`created_at >= ${new Date(input.since!)}::timestamptz`;
  const requeued = await requeue(db, clock, subscription.id, which);
  wakeWorkers(db);
  return requeued;
}

/** Queues a test delivery: a `v1/cards` envelope whose data is `{"event":"test"}`, signed like any other. */
export async function sendTestEvent(db: Db, clock: Clock, principal: Principal, subscriptionId: string): Promise<string> {
  const subscription = await activeSubscription(db, principal, subscriptionId);
  const id = timeOrderedId();
  const now = clock.now();
  // The envelope of every delivery (one definition of its keys and time format), stored: there is no card event.
  const body = cardEnvelope({
    id: sql`${id}`, subscriptionId: sql`${subscription.id}`, organizationId: sql`${subscription.organization_id}`,
    membershipId: sql`${subscription.membership_id}`, createdAt: sql`${now}::timestamptz`, data: sql`${'{"event":"test"}'}`,
  });
  await db
    .with('logged', (qb) => qb.insertInto('webhook_deliveries').values({
      id, organization_id: subscription.organization_id, subscription_id: subscription.id, event_id: null,
      type: 'v1/cards', event: 'test', body, last_status_code: null, last_error: null, delivered_at: null, created_at: now,
    }).returning(['id', 'subscription_id']))
    .insertInto('webhook_queue')
    .columns(['delivery_id', 'subscription_id', 'next_attempt_at'])
    .expression((eb) => eb.selectFrom('logged').select(['id', 'subscription_id', dueNow(now).as('next_attempt_at')]))
    .execute();
  wakeWorkers(db);
  return id;
}
