import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import type { Db } from '../../src/db/engine.ts';
import { migrate } from '../../src/db/migrate.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { systemClock } from '../../src/domain/clock.ts';
import { recordCardEvent } from '../../src/services/card-events.ts';
import { claimDue, recordAttempts, type AttemptResult, type Outcome } from '../../src/webhooks/delivery-store.ts';
import { openTestEngine } from '../helpers/engine.ts';
import { createOrgFixture, insertTestCards, type OrgFixture } from '../helpers/fixtures.ts';
import { deliveriesWhere, emitCardEvent } from '../helpers/webhooks.ts';

// The outbox in two tables (migration 018): `webhook_queue` holds the deliveries still to send and takes every
// claim and lease; `webhook_deliveries` is the log, whose row a result updates in place.

const { engine, close } = await openTestEngine();
after(close);
const db = engine.db;

async function subscription(target: Db, org: OrgFixture): Promise<string> {
  const id = randomUUID();
  const now = new Date();
  await target.insertInto('webhook_subscriptions').values({
    id, organization_id: org.id, membership_id: org.owner.id, callback_url: 'https://receiver.example/hooks', types: ['v1/cards'],
    description: null, secret: 'x'.repeat(32), disabled_reason: null, created_at: now, updated_at: now,
  }).execute();
  return id;
}

const result = (id: string, subscriptionId: string, outcome: Outcome): AttemptResult => ({
  id, subscriptionId, outcome, attemptedAt: new Date(), statusCode: outcome === 'delivered' ? 200 : 500, latencyMs: 3,
  error: outcome === 'delivered' ? null : 'HTTP 500', excerpt: null, retryAfter: null,
});

/**
 * The rows `work` updated in `table`, and how many of those in place (HOT), read from this connection's own
 * counters around it, in its transaction (the shared statistics lag; these counters run on until flushed).
 */
async function updatesBy<T>(table: string, work: (trx: Db) => Promise<T>): Promise<{ value: T; updated: number; hot: number }> {
  return inTransaction(db, async (trx) => {
    const counts = async () => (await sql<{ updated: number; hot: number }>`
      SELECT pg_stat_get_xact_tuples_updated(c.oid)::int AS updated, pg_stat_get_xact_tuples_hot_updated(c.oid)::int AS hot
      FROM pg_class c WHERE c.relname = ${table}`.execute(trx)).rows[0]!;
    const before = await counts();
    const value = await work(trx);
    const afterwards = await counts();
    return { value, updated: afterwards.updated - before.updated, hot: afterwards.hot - before.hot };
  });
}

test('a claim changes only the queue, and a result updates the log row in place (HOT): no log index entry per try', async () => {
  const org = await createOrgFixture(db);
  const subscriptionId = await subscription(db, org);
  const [card] = await insertTestCards(db, org, [{ holder: org.employee }]);
  for (let i = 0; i < 6; i++) await emitCardEvent(db, card!, i % 2 === 0 ? 'locked' : 'unlocked', new Date());

  const claim = { leaseMs: 60_000, limit: 6, skip: [], shares: { subscriptionIds: [subscriptionId], rows: [6] }, otherShare: 6 };
  const { value: claimed, updated } = await updatesBy('webhook_deliveries', (trx) => claimDue(trx, { ...claim, now: new Date() }));
  assert.equal(claimed.length, 6);
  assert.ok(claimed.every((d) => d.attempts === 1 && d.body !== null));
  assert.equal(updated, 0, 'the lease is the queue row');

  // One result a statement, as deliveries finish at different times; the last one fails and is retried.
  for (const [i, delivery] of claimed.entries()) {
    const outcome: Outcome = i === claimed.length - 1 ? 'retry' : 'delivered';
    const counts: { updated: number; hot: number } = await updatesBy('webhook_deliveries', (trx) => recordAttempts(trx, new Date(), [result(delivery.id, subscriptionId, outcome)]));
    assert.deepEqual([counts.updated, counts.hot], [1, 1], `result ${i + 1} (${outcome}) updated its row in place`);
  }
  const rows = await deliveriesWhere(db, 'subscription_id', subscriptionId);
  assert.deepEqual(rows.map((r) => r.status), ['delivered', 'delivered', 'delivered', 'delivered', 'delivered', 'pending']);
  assert.ok(rows.slice(0, 5).every((r) => r.next_attempt_at === null && r.attempts === null), 'delivered: out of the queue');
  const retried = rows[5]!;
  assert.equal(retried.attempts, 1);
  assert.ok(retried.next_attempt_at!.getTime() > Date.now(), 'rescheduled in the queue');
  assert.equal(retried.last_error, 'HTTP 500');
});

test('migration 018 moves the pending deliveries to the queue with their due time and tries; the others stay out', async () => {
  const old = await openTestEngine({ before: '018' });
  after(() => old.close());
  const oldDb = old.engine.db;
  const org = await createOrgFixture(oldDb);
  const subscriptionId = await subscription(oldDb, org);
  const [card] = await insertTestCards(oldDb, org, [{ holder: org.employee }]);
  const eventId = randomUUID();
  await sql`INSERT INTO card_events (id, organization_id, card_id, event, actor_membership_id, data, created_at)
    VALUES (${eventId}, ${org.id}, ${card!.id}, 'locked', NULL, '{}', now())`.execute(oldDb);
  const due = new Date(Date.now() - 60_000);
  const leased = new Date(Date.now() + 60_000);
  const rows = [
    { id: randomUUID(), status: 'pending', attempts: 2, next: due },
    { id: randomUUID(), status: 'pending', attempts: 1, next: leased },
    { id: randomUUID(), status: 'delivered', attempts: 1, next: leased },
    { id: randomUUID(), status: 'failed', attempts: 12, next: due },
  ];
  for (const r of rows) {
    await sql`INSERT INTO webhook_deliveries (id, organization_id, subscription_id, event_id, type, event, status, attempts,
        next_attempt_at, created_at)
      VALUES (${r.id}, ${org.id}, ${subscriptionId}, ${eventId}, 'v1/cards', 'locked', ${r.status}, ${r.attempts}, ${r.next}, now())`.execute(oldDb);
  }

  assert.deepEqual(await migrate(oldDb), ['018_outbox_queue.sql']);
  const queue = await oldDb.selectFrom('webhook_queue').selectAll().orderBy('attempts', 'desc').execute();
  assert.deepEqual(queue, [
    { delivery_id: rows[0]!.id, subscription_id: subscriptionId, next_attempt_at: due, attempts: 2 },
    { delivery_id: rows[1]!.id, subscription_id: subscriptionId, next_attempt_at: leased, attempts: 1 },
  ]);
  // The due one is claimed from the queue like any other, its tries counted on.
  const claimed = await claimDue(oldDb, {
    now: systemClock.now(), leaseMs: 60_000, limit: 10, skip: [], shares: { subscriptionIds: [], rows: [] }, otherShare: 10,
  });
  assert.deepEqual(claimed.map((d) => [d.id, d.attempts]), [[rows[0]!.id, 3]]);
});

test('a vacuum of the queue leaves its emptied last pages in place: truncating them would lock out every claim and write', async () => {
  const org = await createOrgFixture(db);
  const subscriptionId = await subscription(db, org);
  const [card] = await insertTestCards(db, org, [{ holder: org.employee }]);
  // Enough queue rows for pages of their own at the end of the table, then all of them done.
  await inTransaction(db, async (trx) => {
    for (let i = 0; i < 400; i++) await recordCardEvent(trx, { card: card!, event: 'locked', actorMembershipId: null, at: new Date() });
  });
  const size = async () => Number((await sql<{ n: string }>`SELECT pg_relation_size('webhook_queue') AS n`.execute(db)).rows[0]!.n);
  const filled = await size();
  await db.deleteFrom('webhook_queue').where('subscription_id', '=', subscriptionId).execute();
  await sql`VACUUM webhook_queue`.execute(db);
  assert.ok(filled >= 3 * 8192, `the queue grew to ${filled} bytes`);
  assert.equal(await size(), filled, 'not truncated');
});
