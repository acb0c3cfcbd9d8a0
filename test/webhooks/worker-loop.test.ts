import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { findCard, saveCardsIfUnchanged } from '../../src/db/queries/cards.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { cardEventsCtes, handedDeliveries, recordCardEvent } from '../../src/services/card-events.ts';
import { outboxNeedsOwnVacuum, recordAttempts } from '../../src/webhooks/delivery-store.ts';
import type { HandoffTerms } from '../../src/webhooks/handoff.ts';
import { wakeWorkers } from '../../src/webhooks/wake.ts';
import { WebhookWorker } from '../../src/webhooks/worker.ts';
import { startTestApp } from '../helpers/app.ts';
import { eventually } from '../helpers/eventually.ts';
import { createOrgFixture, insertTestCards } from '../helpers/fixtures.ts';
import { makeCard, put } from '../helpers/lifecycle.ts';
import { deliveriesWhere, emitCardEvent, failPending, startReceiver, type Responder } from '../helpers/webhooks.ts';

// The running worker as `qcards serve` starts it: woken by LISTEN/NOTIFY after commits that queued deliveries due,
// and handed the deliveries of this process's card changes by their writes (src/webhooks/handoff.ts).
const { app, deps, clock } = await startTestApp({ webhookAllowLoopback: true });
const db = deps.engine.db;

/** A started worker (stopped after the test), an organization, and a receiver subscribed to its v1/cards events. */
async function subscribedWorker(options: ConstructorParameters<typeof WebhookWorker>[1] = {}, workerDeps = deps, responder?: Responder) {
  const worker = new WebhookWorker(workerDeps, options);
  await worker.start();
  after(() => worker.stop());
  const org = await createOrgFixture(db);
  const rx = await startReceiver(responder);
  const res = await app.inject({ method: 'POST', url: '/v2/webhook_subscriptions', headers: { authorization: org.owner.auth }, payload: { callback_url: rx.url, types: ['v1/cards'] } });
  assert.equal(res.statusCode, 201);
  const subscriptionId: string = res.json().id;
  /** Bounded wait (10 s) until the receiver holds n requests. */
  const received = async (n: number) => {
    for (let i = 0; i < 200 && rx.received.length < n; i++) await new Promise((r) => setTimeout(r, 50));
    return rx.received.map((r) => JSON.parse(r.body).data.event as string);
  };
  return { org, received, worker, rx, subscriptionId };
}

/**
 * A nickname change of a card written under a worker's handoff terms, as card-write-batches.ts writes it, without
 * telling the worker: its event id and the deliveries it handed over.
 */
async function writeUnderTerms(organizationId: string, cardId: string, terms: HandoffTerms) {
  const { card, holder, version } = (await findCard(db, organizationId, cardId))!;
  const changed = { ...card, nickname: 'Handed', updated_at: clock.now() };
  const event = { id: randomUUID(), card: changed, event: 'nickname_updated' as const, actorMembershipId: null, at: clock.now() };
  const { returnedRows } = await saveCardsIfUnchanged(db, [{ card: changed, holder, version }], cardEventsCtes([event], 'changed', terms));
  return { eventId: event.id, handed: handedDeliveries(returnedRows) };
}

/** An organization's deliveries of `event`, with their queue rows' due time and attempts while pending. */
const deliveriesOf = async (organizationId: string, event: string) =>
  (await deliveriesWhere(db, 'organization_id', organizationId)).filter((d) => d.event === event);

test('a started worker delivers committed changes without being asked', async () => {
  const { org, received } = await subscribedWorker();
  const [card] = await insertTestCards(db, org, [{ holder: org.employee }]);
  for (const event of ['created', 'locked', 'unlocked'] as const) await emitCardEvent(db, card!, event, clock.now());
  assert.deepEqual((await received(3)).sort(), ['created', 'locked', 'unlocked']);
});

test('a change through the API reaches a sleeping worker at once, on both engines (the poll is only a backstop)', async () => {
  // A one-minute poll: only the wake-up sent after the creation's commit, and the change's handover, can deliver
  // within the bounded wait.
  const { org, received } = await subscribedWorker({ pollMs: 60_000 });
  const card = await makeCard(app, org, 'virtual');
  assert.deepEqual(await received(1), ['created']);
  assert.equal((await put(app, org.owner, card.id, 'lock')).statusCode, 200);
  assert.deepEqual(await received(2), ['created', 'locked']);
});

test('where nothing else vacuums the outbox (PGlite, autovacuum off), a started worker vacuums its queue as attempts accumulate', async () => {
  const missing = await outboxNeedsOwnVacuum(deps.engine);
  const vacuums = async () => {
    const result = await sql<{ n: string }>`SELECT vacuum_count AS n FROM pg_stat_user_tables WHERE relname = 'webhook_queue'`.execute(db);
    return Number(result.rows[0]!.n);
  };
  const before = await vacuums();
  const { org, received } = await subscribedWorker({ vacuumEveryAttempts: 3 });
  const [card] = await insertTestCards(db, org, [{ holder: org.employee }]);
  for (const event of ['locked', 'unlocked', 'locked', 'unlocked'] as const) await emitCardEvent(db, card!, event, clock.now());
  assert.equal((await received(4)).length, 4);
  if (missing) await eventually(async () => (await vacuums()) > before, 'the queue vacuumed after 3 attempts', 5000);
  else assert.equal(await vacuums(), before, 'left to autovacuum');
});

test("changes made in the worker's own process are handed to it by their write: no claim, each row queued leased with its attempt counted", async () => {
  const { org, received, worker, rx, subscriptionId } = await subscribedWorker({ pollMs: 60_000 });
  const cards = await Promise.all([0, 1, 2].map(() => makeCard(app, org, 'virtual')));
  assert.equal((await received(3)).length, 3);
  const before = worker.counts;
  // Concurrent changes share write statements (src/services/card-write-batches.ts).
  const answers = await Promise.all(cards.map((card) => put(app, org.owner, card.id, 'lock')));
  assert.deepEqual(answers.map((a) => a.statusCode), [200, 200, 200]);
  assert.deepEqual((await received(6)).slice(3), ['locked', 'locked', 'locked']);
  assert.deepEqual([worker.counts.claimed, worker.counts.handedOver], [before.claimed, before.handedOver + 3]);
  await eventually(async () => (await deliveriesOf(org.id, 'locked')).every((d) => d.status === 'delivered'), 'recorded', 5000);
  const rows = await deliveriesOf(org.id, 'locked');
  assert.equal(rows.length, 3);
  // The write built the bodies it handed over; a claim (a retry) and the event log build them from the stored
  // event: the same bytes.
  const log = await app.inject({ method: 'GET', url: `/qcards/webhooks/v1/subscriptions/${subscriptionId}/events?event=locked`, headers: { authorization: org.owner.auth } });
  const logged = new Map((log.json().events as Array<{ id: string; body: string }>).map((e) => [e.id, e.body]));
  const tries = await db.selectFrom('webhook_attempts').select('delivery_id').where('delivery_id', 'in', rows.map((r) => r.id)).execute();
  assert.deepEqual(tries.map((t) => t.delivery_id).sort(), rows.map((r) => r.id).sort(), 'one try each');
  for (const row of rows) {
    assert.equal(row.body, null, 'no body stored: it is built from the event');
    const sent = rx.received.find((r) => r.headers['webhook-id'] === row.id)?.body;
    assert.equal(sent, logged.get(row.id), 'the body sent is the body the log shows');
    assert.equal(JSON.parse(sent!).id, row.id);
  }
});

test('a subscription whose lane in the worker is full is not handed over: its deliveries are queued due, for claims', async () => {
  // One slot per subscription, so 4 rows fill its lane; the receiver holds every request (for up to a minute).
  const patient = { ...deps, config: { ...deps.config, webhookTimeoutMs: 60_000 } };
  const { org, worker, rx } = await subscribedWorker({ perSubscription: 1, pollMs: 60_000 }, patient, () => ({ status: 200, hang: true }));
  const card = await makeCard(app, org, 'virtual');
  await eventually(() => rx.received.length === 1, 'the creation claimed and sent', 5000);
  const before = worker.counts;
  for (const action of ['lock', 'unlock', 'lock', 'unlock', 'lock']) assert.equal((await put(app, org.owner, card.id, action)).statusCode, 200);
  assert.equal(worker.counts.handedOver - before.handedOver, 3, 'handed over until the lane held 4');
  const due = [...await deliveriesOf(org.id, 'locked'), ...await deliveriesOf(org.id, 'unlocked')].filter((d) => d.attempts === 0);
  assert.equal(due.length, 2);
  assert.ok(due.every((d) => d.status === 'pending' && d.next_attempt_at!.getTime() <= Date.now()), 'queued due');
  rx.respond(() => ({ status: 200 }));
  rx.release();
  await eventually(() => rx.received.length === 6, 'the lane drained, the rest claimed', 10_000);
  assert.equal(worker.counts.claimed - before.claimed, 2);
});

/**
 * A lane holding one request (hanging at the receiver) and three waiting their turn: one slot per subscription,
 * a creation claimed, then three changes handed over.
 */
async function laneWithThreeWaiting() {
  const patient = { ...deps, config: { ...deps.config, webhookTimeoutMs: 60_000 } };
  const subscribed = await subscribedWorker({ perSubscription: 1, pollMs: 60_000 }, patient, () => ({ status: 200, hang: true }));
  const { org, rx } = subscribed;
  const card = await makeCard(app, org, 'virtual');
  await eventually(() => rx.received.length === 1, 'the creation claimed and sent', 5000);
  for (const action of ['lock', 'unlock', 'lock']) assert.equal((await put(app, org.owner, card.id, action)).statusCode, 200);
  return subscribed;
}

test('a deleted subscription gets no more of the deliveries its lane held: only the one sent meanwhile', async () => {
  const { org, rx, worker } = await laneWithThreeWaiting();
  assert.equal(worker.inFlight, 4);
  const [subscription] = await db.selectFrom('webhook_subscriptions').select('id').where('organization_id', '=', org.id).execute();
  assert.equal((await app.inject({ method: 'DELETE', url: `/v2/webhook_subscriptions/${subscription!.id}`, headers: { authorization: org.owner.auth } })).statusCode, 204);
  // The first answer frees the slot for the next in line before its result is recorded; recording it finds the
  // delivery gone with its subscription, and the two still waiting are dropped: one left, the one sent meanwhile.
  rx.release();
  await eventually(() => worker.inFlight === 1, 'the two waiting dropped', 5000);
  assert.equal(rx.received.length, 2);
  rx.respond(() => ({ status: 200 }));
  rx.release();
  await eventually(() => worker.inFlight === 0, 'the last one recorded', 5000);
  assert.equal(rx.received.length, 2);
});

test('a claim takes a subscription its share of rows and, while its lane has room, claims again at once', async () => {
  // Two slots at most, so a claim takes at most 2 rows of the subscription (and its lane holds 4 rows a slot); a
  // one-minute poll: only the single wake-up of the commit, claiming again at once, and the claims its lane makes
  // as it empties can send the ten within the bounded wait.
  const { org, received } = await subscribedWorker({ perSubscription: 2, pollMs: 60_000 });
  const cards = await insertTestCards(db, org, Array.from({ length: 10 }, () => ({ holder: org.employee })));
  await inTransaction(db, async (trx) => {
    for (const card of cards) await recordCardEvent(trx, { card, event: 'locked', actorMembershipId: null, at: clock.now() });
  });
  wakeWorkers(db);
  assert.equal((await received(10)).length, 10);
});

test('recording a result names the subscriptions that take no more: deleted, or answering 410 (even if already disabled)', async () => {
  const org = await createOrgFixture(db);
  const rx = await startReceiver();
  const res = await app.inject({ method: 'POST', url: '/v2/webhook_subscriptions', headers: { authorization: org.owner.auth }, payload: { callback_url: rx.url, types: ['v1/cards'] } });
  const subscriptionId = res.json().id as string;
  const [card] = await insertTestCards(db, org, [{ holder: org.employee }]);
  await emitCardEvent(db, card!, 'locked', clock.now());
  const [delivery] = await deliveriesOf(org.id, 'locked');
  // Another worker's 410 got there first: the row is failed and the subscription disabled.
  await failPending(db, [subscriptionId]);
  await db.updateTable('webhook_subscriptions').set({ status: 'disabled' }).where('id', '=', subscriptionId).execute();
  const result = (outcome: 'delivered' | 'gone', id = delivery!.id) => ({ id, subscriptionId, outcome, attemptedAt: clock.now(),
    statusCode: outcome === 'gone' ? 410 : 200, latencyMs: 1, error: null, excerpt: null, retryAfter: null });
  assert.deepEqual(await recordAttempts(db, clock.now(), [result('gone')]), [subscriptionId]);
  assert.deepEqual(await recordAttempts(db, clock.now(), [result('delivered')]), []);
  assert.deepEqual(await recordAttempts(db, clock.now(), [result('delivered', randomUUID())]), [subscriptionId], 'its delivery is gone');
});

test('a 410 drops the deliveries its lane held: they were marked failed with the subscription disabled', async () => {
  const { org, rx, worker } = await laneWithThreeWaiting();
  rx.respond(() => ({ status: 410, hang: true }));
  rx.release(410);
  await eventually(() => worker.inFlight === 1, 'the two waiting dropped', 5000);
  assert.equal(rx.received.length, 2);
  rx.respond(() => ({ status: 410 }));
  rx.release(410);
  await eventually(() => worker.inFlight === 0, 'the last one recorded', 5000);
  assert.equal(rx.received.length, 2);
  const subscription = await db.selectFrom('webhook_subscriptions').select('status').where('organization_id', '=', org.id).executeTakeFirst();
  assert.equal(subscription?.status, 'disabled');
  const rows = await db.selectFrom('webhook_deliveries').select('status').where('organization_id', '=', org.id).execute();
  assert.deepEqual(rows.map((r) => r.status), ['failed', 'failed', 'failed', 'failed']);
});

test('deliveries handed to a worker that stopped meanwhile are given back due, with the attempt undone, for any worker', async () => {
  const { org, worker, received } = await subscribedWorker();
  const [inserted] = await insertTestCards(db, org, [{ holder: org.employee }]);
  const terms = worker.handoffTerms();
  assert.ok(terms);
  await worker.stop();
  assert.equal(worker.handoffTerms(), undefined, 'a stopped worker takes nothing');
  // The write that asked for the terms commits after the worker stopped.
  const { handed } = await writeUnderTerms(org.id, inserted!.id, terms);
  assert.equal(handed.length, 1);
  const [queued] = await deliveriesOf(org.id, 'nickname_updated');
  assert.deepEqual([queued!.attempts, queued!.next_attempt_at!.getTime()], [1, terms.leaseUntil.getTime()], 'queued leased');
  worker.accept(handed, terms, 0);
  await eventually(async () => (await deliveriesOf(org.id, 'nickname_updated'))[0]!.attempts === 0, 'given back', 5000);
  const other = new WebhookWorker(deps);
  after(() => other.stop());
  assert.equal(await other.runOnce(), 1);
  assert.deepEqual(await received(1), ['nickname_updated']);
});

test('a write whose outcome is unknown gives back what it may have handed over, but not a row claimed again since', async () => {
  const { org, worker } = await subscribedWorker({ pollMs: 60_000 });
  const [first, second] = await insertTestCards(db, org, [{ holder: org.employee }, { holder: org.employee }]);
  const write = async (cardId: string) => {
    const terms = worker.handoffTerms()!;
    const { eventId, handed: [delivery] } = await writeUnderTerms(org.id, cardId, terms);
    return { terms, eventId, deliveryId: delivery!.id };
  };
  const row = (id: string) => db.selectFrom('webhook_queue').select(['attempts', 'next_attempt_at']).where('delivery_id', '=', id).executeTakeFirstOrThrow();
  const lost = await write(first!.id);
  const reclaimed = await write(second!.id);
  // The second one's lease ran out and another worker claimed it: a new lease.
  await db.updateTable('webhook_queue').set({ next_attempt_at: new Date(Date.now() + 3_600_000), attempts: 2 }).where('delivery_id', '=', reclaimed.deliveryId).execute();
  worker.abandon([lost.eventId], lost.terms);
  worker.abandon([reclaimed.eventId], reclaimed.terms);
  await Promise.all([worker.stop(), worker.stop()]);
  const given = await row(lost.deliveryId);
  assert.equal(given.attempts, 0);
  assert.ok(given.next_attempt_at.getTime() <= Date.now(), 'due again');
  assert.equal((await row(reclaimed.deliveryId)).attempts, 2, 'left to the worker that holds it');
});

test('a lane starts with one request, doubles them each round trip its receiver answers, and halves them on each timeout, down to one; rows beyond go back to the outbox untried', async () => {
  // Four slots at most, a 300 ms timeout.
  const hasty = { ...deps, config: { ...deps.config, webhookTimeoutMs: 300 } };
  const { org, rx } = await subscribedWorker({ perSubscription: 4, pollMs: 60_000 }, hasty);
  const emit = async (n: number) => {
    const cards = await insertTestCards(db, org, Array.from({ length: n }, () => ({ holder: org.employee })));
    await inTransaction(db, async (trx) => {
      for (const card of cards) await recordCardEvent(trx, { card, event: 'locked', actorMembershipId: null, at: clock.now() });
    });
    wakeWorkers(db);
  };
  const sinceNow = () => {
    const from = rx.received.length;
    return () => rx.received.slice(from);
  };
  const allDelivered = () => eventually(async () => {
    // A try that timed out has its retry up to 12 s of the clock later.
    clock.advance(60_000);
    wakeWorkers(db);
    return (await deliveriesOf(org.id, 'locked')).every((d) => d.status === 'delivered');
  }, 'all delivered', 10_000, 200);

  // A receiver that holds every request: a new lane sends it one.
  rx.respond(() => ({ status: 200, hang: true }));
  let batch = sinceNow();
  await emit(4);
  await eventually(() => batch().length === 1, 'one request', 5000);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(batch().length, 1, 'only one at first');
  rx.respond(() => ({ status: 200 }));
  rx.release();
  await allDelivered();

  // It answered: four at once now. Then it stops answering: after the four time out together, one at a time,
  // each once the one before it timed out; the rows the lane held beyond its new share go back to the outbox.
  rx.respond(() => ({ status: 200, hang: true }));
  batch = sinceNow();
  await emit(16);
  await eventually(() => batch().length >= 7, 'seven tries', 10_000);
  assert.equal(Math.max(...batch().slice(0, 4).map((r) => r.concurrent)), 4);
  const gaps = batch().slice(4, 7).map((r, i) => r.at - batch()[3 + i]!.at);
  // Two at once would arrive within a few milliseconds of each other.
  assert.ok(gaps.every((gap) => gap >= 200), `one at a time, 300 ms apart: ${gaps.map((g) => g.toFixed(0)).join(', ')} ms`);
  // Of the twelve the lane held waiting, ten went back (it now holds four rows a slot): due again, with their
  // claim's attempt undone, and this worker takes one each time a request times out.
  const untried = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM webhook_deliveries d JOIN webhook_queue q ON q.delivery_id = d.id
    WHERE d.organization_id = ${org.id} AND d.status = 'pending' AND q.attempts = 0
      AND NOT EXISTS (SELECT 1 FROM webhook_attempts a WHERE a.delivery_id = d.id)`.execute(db);
  assert.ok(untried.rows[0]!.n >= 4, `given back untried: ${untried.rows[0]!.n}`);

  rx.respond(() => ({ status: 200 }));
  rx.release();
  await allDelivered();
});
