import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { inTransaction } from '../../src/db/transaction.ts';
import { cardWebhookData } from '../../src/domain/card.ts';
import { OffsetClock, systemClock } from '../../src/domain/clock.ts';
import { recordCardEvent } from '../../src/services/card-events.ts';
import { MAX_ATTEMPTS, nominalDelaySeconds } from '../../src/webhooks/schedule.ts';
import { verifyQontoSignature } from '../../src/webhooks/verify.js';
import { WebhookWorker } from '../../src/webhooks/worker.ts';
import { startTestApp } from '../helpers/app.ts';
import { createOrgFixture, insertTestCards, type MemberFixture, type OrgFixture } from '../helpers/fixtures.ts';
import { deliveriesWhere, emitCardEvent, failPending, startReceiver, type Receiver } from '../helpers/webhooks.ts';

const { app, deps, clock } = await startTestApp({ webhookAllowLoopback: true });
const db = deps.engine.db;
const worker = new WebhookWorker(deps, { perSubscription: 4 });
after(() => worker.stop());

async function subscribe(org: OrgFixture, member: MemberFixture, url: string): Promise<{ id: string; secret: string }> {
  const res = await app.inject({ method: 'POST', url: '/v2/webhook_subscriptions', headers: { authorization: member.auth }, payload: { callback_url: url, types: ['v1/cards'] } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

async function setup(receiver?: Receiver) {
  const org = await createOrgFixture(db);
  const rx = receiver ?? (await startReceiver());
  const sub = await subscribe(org, org.owner, rx.url);
  const [card] = await insertTestCards(db, org, [{ holder: org.employee }]);
  return { org, rx, sub, card: card! };
}

const deliveriesOf = (subscriptionId: string) => deliveriesWhere(db, 'subscription_id', subscriptionId);

test('a committed change is delivered once, with the seed envelope, the data of the change and valid signatures', async () => {
  const { org, rx, sub, card } = await setup();
  const at = clock.now();
  await emitCardEvent(db, card, 'created', at, org.owner.id);
  assert.equal(await worker.runOnce(), 1);
  assert.equal(rx.received.length, 1);
  const { headers, body } = rx.received[0]!;
  const envelope = JSON.parse(body);
  assert.deepEqual(Object.keys(envelope), ['id', 'subscription_id', 'organization_id', 'membership_id', 'type', 'created_at', 'data']);
  assert.equal(envelope.subscription_id, sub.id);
  assert.equal(envelope.organization_id, org.id);
  assert.equal(envelope.membership_id, org.owner.id);
  assert.equal(envelope.type, 'v1/cards');
  assert.equal(envelope.created_at, at.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  assert.deepEqual(envelope.data, cardWebhookData(card, 'created'));
  assert.deepEqual(Object.keys(envelope.data), Object.keys(cardWebhookData(card, 'created')));
  assert.equal(envelope.data.atm_daily_limit, `${card.atm_daily_limit}.00`);
  // Byte for byte what JSON.stringify makes of the envelope: built in SQL from the stored event (envelope.ts).
  assert.equal(body, JSON.stringify({
    id: envelope.id, subscription_id: sub.id, organization_id: org.id, membership_id: org.owner.id, type: 'v1/cards',
    created_at: at.toISOString().replace(/\.\d{3}Z$/, 'Z'), data: cardWebhookData(card, 'created'),
  }));
  assert.equal(headers['content-type'], 'application/json');
  assert.match(String(headers['user-agent']), /^qcards-webhooks/);
  assert.equal(headers['webhook-id'], envelope.id);
  assert.equal(verifyQontoSignature(body, String(headers['x-qonto-signature']), sub.secret, 300, clock.now()), true);
  const [row] = await deliveriesOf(sub.id);
  assert.equal(row!.status, 'delivered');
  assert.equal(row!.id, envelope.id);
  // The event, its delivery and the attempt have time-ordered ids (migration 017): their indexes grow at the end.
  const [attempt] = await db.selectFrom('webhook_attempts').select('id').where('delivery_id', '=', row!.id).execute();
  for (const id of [row!.event_id!, row!.id, attempt!.id]) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab]/);
});

test('an answer holding a NUL byte is recorded (as U+FFFD), with the rest of its batch: nothing is sent twice', async () => {
  const { rx, sub, card } = await setup(await startReceiver(() => ({ status: 200, body: 'ok\u0000' })));
  const other = await setup();
  await emitCardEvent(db, card, 'locked', clock.now());
  await emitCardEvent(db, other.card, 'locked', clock.now());
  assert.equal(await worker.runOnce(), 2);
  const [row] = await deliveriesOf(sub.id);
  assert.equal(row!.status, 'delivered');
  const [attempt] = await db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', row!.id).execute();
  assert.equal(attempt!.response_excerpt, 'ok\uFFFD');
  assert.equal((await deliveriesOf(other.sub.id))[0]!.status, 'delivered');
  assert.equal(await worker.runOnce(), 0);
  assert.equal(rx.received.length, 1);
});

test('after the sandbox clock moved, a separate worker on real time still finds new deliveries due', async () => {
  const { rx, card } = await setup();
  const moved = new OffsetClock();
  moved.advance(3_600_000);
  await emitCardEvent(db, card, 'locked', moved.now());
  const realTime = new WebhookWorker({ ...deps, clock: systemClock }, { perSubscription: 4 });
  after(() => realTime.stop());
  assert.equal(await realTime.runOnce(), 1);
  assert.equal(rx.received.length, 1);
});

test('a rolled-back change queues nothing', async () => {
  const { rx, sub, card } = await setup();
  await assert.rejects(inTransaction(db, async (trx) => {
    await recordCardEvent(trx, { card, event: 'locked', actorMembershipId: null, at: clock.now() });
    throw new Error('the change failed');
  }));
  assert.equal((await deliveriesOf(sub.id)).length, 0);
  await worker.runOnce();
  assert.equal(rx.received.length, 0);
});

test('a subscription receives no event from before it existed, and each subscription gets its own id', async () => {
  const org = await createOrgFixture(db);
  const rx = await startReceiver();
  const [card] = await insertTestCards(db, org, [{ holder: org.employee }]);
  await emitCardEvent(db, card!, 'created', clock.now());
  const a = await subscribe(org, org.owner, rx.url);
  const b = await subscribe(org, org.admin, rx.url);
  await emitCardEvent(db, card!, 'locked', clock.now());
  await worker.runOnce();
  assert.equal(rx.received.length, 2);
  const envelopes = rx.received.map((r) => JSON.parse(r.body));
  assert.ok(envelopes.every((e) => e.data.event === 'locked'));
  assert.deepEqual(new Set(envelopes.map((e) => e.subscription_id)), new Set([a.id, b.id]));
  assert.notEqual(envelopes[0].id, envelopes[1].id);
});

test("a subscription only receives cards its creator may see", async () => {
  const org = await createOrgFixture(db);
  const rx = await startReceiver();
  const employeeSub = await subscribe(org, org.employee, rx.url);
  const managerSub = await subscribe(org, org.manager, rx.url);
  const outsiderSub = await subscribe(org, org.outsider, rx.url);
  const reportingSub = await subscribe(org, org.reporting, rx.url);
  const [teamCard] = await insertTestCards(db, org, [{ holder: org.employee }]);
  await emitCardEvent(db, teamCard!, 'created', clock.now());
  const got = async (id: string) => (await deliveriesOf(id)).length;
  assert.equal(await got(employeeSub.id), 1);
  assert.equal(await got(managerSub.id), 1);
  assert.equal(await got(reportingSub.id), 1);
  assert.equal(await got(outsiderSub.id), 0);
  await worker.runOnce();
});

test('failures are retried on the published schedule, with jitter, then marked failed after the last attempt', async () => {
  const { rx, sub, card } = await setup();
  rx.respond(() => ({ status: 500, body: 'boom' }));
  await emitCardEvent(db, card, 'created', clock.now());
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const before = clock.now().getTime();
    assert.equal(await worker.runOnce(), 1, `attempt ${attempt}`);
    const [row] = await deliveriesOf(sub.id);
    if (attempt < MAX_ATTEMPTS) {
      assert.equal(row!.status, 'pending');
      const wait = (row!.next_attempt_at!.getTime() - before) / 1000;
      const nominal = nominalDelaySeconds(attempt);
      assert.ok(wait >= nominal * 0.8 - 1 && wait <= nominal * 1.2 + 1, `attempt ${attempt}: waited ${wait} s for ${nominal} s`);
      clock.advance((nominal * 0.79) * 1000);
      assert.equal(await worker.runOnce(), 0, 'nothing is due before the jittered wait');
      clock.advance((nominal * 0.42) * 1000);
    } else {
      assert.equal(row!.status, 'failed');
    }
  }
  assert.equal(rx.received.length, MAX_ATTEMPTS);
  assert.equal(new Set(rx.received.map((r) => JSON.parse(r.body).id)).size, 1, 'every retry carries the same id');
  const attempts = await db.selectFrom('webhook_attempts').selectAll().where('subscription_id', '=', sub.id).execute();
  assert.equal(attempts.length, MAX_ATTEMPTS);
  assert.ok(attempts.every((a) => a.status_code === 500 && a.response_excerpt === 'boom'));
});

/**
 * Runs the worker once; returns how many attempts it made and how long the subscription's delivery now waits.
 * The test clock runs with real time too, so a few milliseconds pass between the start and the answer.
 */
async function runAndMeasureWait(subscriptionId: string): Promise<{ attempts: number; waited: number }> {
  const before = clock.now().getTime();
  const attempts = await worker.runOnce();
  const [row] = await deliveriesOf(subscriptionId);
  return { attempts, waited: row!.next_attempt_at!.getTime() - before };
}

test('a Retry-After shorter than the schedule does not shorten it', async () => {
  const { rx, sub, card } = await setup();
  rx.respond(() => ({ status: 503, headers: { 'retry-after': '1' } }));
  await emitCardEvent(db, card, 'created', clock.now());
  const { waited } = await runAndMeasureWait(sub.id);
  assert.ok(waited >= 8_000 && waited < 13_000, `the first retry waits 10 s ± 20%, not 1 s: ${waited}`);
  // Let it succeed, so the next tests' runOnce finds nothing of this one due.
  rx.respond(() => ({ status: 200 }));
  clock.advance(13_000);
  assert.equal(await worker.runOnce(), 1);
});

test('a longer Retry-After is honoured instead of the schedule, and capped at one hour', async () => {
  const { rx, sub, card } = await setup();
  rx.respond(() => ({ status: 503, headers: { 'retry-after': '120' } }));
  await emitCardEvent(db, card, 'created', clock.now());
  const { waited } = await runAndMeasureWait(sub.id);
  assert.ok(waited >= 120_000 && waited < 125_000, String(waited));
  rx.respond(() => ({ status: 429, headers: { 'retry-after': '999999' } }));
  clock.advance(120_000);
  const { attempts, waited: capped } = await runAndMeasureWait(sub.id);
  assert.equal(attempts, 1);
  assert.ok(capped >= 3_600_000 && capped < 3_605_000, String(capped));
});

test('410 Gone disables the subscription: its pending events fail and new changes queue nothing', async () => {
  const { org, rx, sub, card } = await setup();
  rx.respond(() => ({ status: 410 }));
  await emitCardEvent(db, card, 'created', clock.now());
  await worker.runOnce();
  const subscription = await db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', sub.id).executeTakeFirstOrThrow();
  assert.equal(subscription.status, 'disabled');
  assert.equal((await deliveriesOf(sub.id))[0]!.status, 'failed');
  await emitCardEvent(db, card, 'locked', clock.now());
  assert.equal((await deliveriesOf(sub.id)).length, 1);
  // A PUT brings it back.
  const put = await app.inject({ method: 'PUT', url: `/v2/webhook_subscriptions/${sub.id}`, headers: { authorization: org.owner.auth }, payload: { callback_url: rx.url, types: ['v1/cards'] } });
  assert.equal(put.statusCode, 200);
  await emitCardEvent(db, card, 'unlocked', clock.now());
  assert.equal((await deliveriesOf(sub.id)).length, 2);
  rx.respond(() => ({ status: 200 }));
  await worker.runOnce();
});

test('a receiver that is down then up gets every event once its retries come due', async () => {
  const first = await startReceiver();
  const { sub, card } = await setup(first);
  const port = new URL(first.url).port;
  await first.close();
  for (let i = 0; i < 5; i++) await emitCardEvent(db, card, 'nickname_updated', clock.now());
  await worker.runOnce();
  const failed = await db.selectFrom('webhook_attempts').selectAll().where('subscription_id', '=', sub.id).execute();
  assert.equal(failed.length, 5);
  assert.ok(failed.every((a) => a.status_code === null && /ECONNREFUSED/.test(a.error ?? '')), failed[0]?.error ?? '');
  // The receiver comes back on the same address.
  const { createServer } = await import('node:http');
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => { bodies.push(body); res.end(); });
  });
  await new Promise<void>((resolve) => server.listen(Number(port), '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  assert.equal(await worker.runOnce(), 0, 'not before the schedule says');
  clock.advance(nominalDelaySeconds(1) * 1.2 * 1000 + 1000);
  assert.equal(await worker.runOnce(), 5);
  assert.equal(bodies.length, 5);
  assert.equal(new Set(bodies.map((b) => JSON.parse(b).id)).size, 5);
  assert.ok((await deliveriesOf(sub.id)).every((d) => d.status === 'delivered'));
});

test('a subscriber that hangs does not delay delivery to the others', async () => {
  // A worker with a long timeout, so that the hanging receiver holds its requests until the test lets go.
  const patient = new WebhookWorker({ ...deps, config: { ...deps.config, webhookTimeoutMs: 60_000 } }, { perSubscription: 4 });
  after(() => patient.stop());
  const hanging = await startReceiver(() => ({ status: 200, hang: true }));
  const healthy = await startReceiver();
  const org = await createOrgFixture(db);
  const slow = await subscribe(org, org.owner, hanging.url);
  await subscribe(org, org.admin, healthy.url);
  const [card] = await insertTestCards(db, org, [{ holder: org.employee }]);
  for (let i = 0; i < 20; i++) await emitCardEvent(db, card!, 'limits_updated', clock.now());
  const run = patient.runOnce();
  for (let i = 0; i < 1000 && healthy.received.length < 20; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(healthy.received.length, 20, 'the healthy receiver got every event while the other hangs');
  assert.ok(hanging.received.length <= 4, `at most perSubscription requests wait on the hanging receiver (${hanging.received.length})`);
  const slowAttempts = await db.selectFrom('webhook_attempts').select('id').where('subscription_id', '=', slow.id).execute();
  assert.equal(slowAttempts.length, 0);
  hanging.respond(() => ({ status: 200 }));
  hanging.release();
  await run;
  assert.equal(hanging.received.length, 20);
});

test('an answer not complete within the timeout is a timed-out attempt, retried later: silent, or headers then a trickle', async () => {
  const hasty = new WebhookWorker({ ...deps, config: { ...deps.config, webhookTimeoutMs: 300 } }, { perSubscription: 4 });
  after(() => hasty.stop());
  // Headers at once, then a byte of body every 100 ms for ever: no single wait is long, the whole answer is.
  const trickling = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' });
    const drip = setInterval(() => res.write('.'), 100);
    res.on('close', () => clearInterval(drip));
  });
  await new Promise<void>((resolve) => trickling.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => { trickling.closeAllConnections(); trickling.close(() => resolve()); }));
  const silent = await startReceiver(() => ({ status: 200, hang: true }));
  after(() => silent.release());
  const org = await createOrgFixture(db);
  const quiet = await subscribe(org, org.owner, silent.url);
  const slow = await subscribe(org, org.admin, `http://127.0.0.1:${(trickling.address() as AddressInfo).port}/hook`);
  const [card] = await insertTestCards(db, org, [{ holder: org.employee }]);
  await emitCardEvent(db, card!, 'locked', clock.now());
  const started = Date.now();
  // Bounded: without a deadline on the whole answer, the trickle would hold runOnce for ever.
  const bound = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('runOnce still waiting after 5 s')), 5_000).unref());
  assert.equal(await Promise.race([hasty.runOnce(), bound]), 2);
  assert.ok(Date.now() - started < 5_000, `both attempts ended at their deadline (${Date.now() - started} ms)`);
  for (const sub of [quiet, slow]) {
    const [row] = await deliveriesOf(sub.id);
    assert.equal(row!.status, 'pending');
    assert.equal(row!.last_error, 'timeout: no complete answer within 300 ms');
    assert.ok(row!.next_attempt_at!.getTime() > clock.now().getTime(), 'retried later, on the schedule');
    const attempts = await db.selectFrom('webhook_attempts').selectAll().where('subscription_id', '=', sub.id).execute();
    assert.equal(attempts.length, 1);
    assert.ok(attempts[0]!.latency_ms >= 290 && attempts[0]!.latency_ms < 2_000, `latency ${attempts[0]!.latency_ms} ms`);
  }
  // Quiet the two for later tests: the deliveries are marked failed.
  await failPending(db, [quiet.id, slow.id]);
});

test('a 2xx answer with an endless body is delivered: its first 1,024 characters stored, the rest not read', async () => {
  // 16 KB chunks for as long as the connection lasts: only the first 64 KB are read, then the connection goes.
  let written = 0;
  let connectionClosed: () => void;
  const closed = new Promise<void>((resolve) => (connectionClosed = resolve));
  const endless = createServer((req, res) => {
    req.resume();
    res.on('close', () => connectionClosed());
    res.writeHead(200, { 'content-type': 'text/plain' });
    const chunk = 'é'.repeat(8 * 1024);
    const pour = () => {
      while (!res.destroyed && res.write(chunk)) written += chunk.length * 2;
    };
    res.on('drain', pour);
    pour();
  });
  await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => { endless.closeAllConnections(); endless.close(() => resolve()); }));
  const org = await createOrgFixture(db);
  const sub = await subscribe(org, org.owner, `http://127.0.0.1:${(endless.address() as AddressInfo).port}/hook`);
  const [card] = await insertTestCards(db, org, [{ holder: org.employee }]);
  await emitCardEvent(db, card!, 'locked', clock.now());
  const bound = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('runOnce still reading after 5 s')), 5_000).unref());
  assert.equal(await Promise.race([worker.runOnce(), bound]), 1);
  const [row] = await deliveriesOf(sub.id);
  assert.equal(row!.status, 'delivered');
  const [attempt] = await db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', row!.id).execute();
  assert.equal(attempt!.response_excerpt, 'é'.repeat(1024));
  assert.ok(written < 10 * 1024 * 1024, `the receiver wrote ${written} bytes: the answer was read to its end`);
  // The connection was dropped, not left reading in the background.
  await closed;
});

test('a delivery whose card event is gone is marked failed without a request, and cannot be redelivered or replayed', async () => {
  const { org, rx, sub, card } = await setup();
  rx.respond(() => ({ status: 500 }));
  await emitCardEvent(db, card, 'locked', clock.now());
  await worker.runOnce();
  const [row] = await deliveriesOf(sub.id);
  assert.equal(row!.status, 'pending');
  // As if retention had removed the event while the delivery was being marked done (a race between its statements).
  await db.deleteFrom('card_events').where('id', '=', row!.event_id!).execute();
  const sent = rx.received.length;
  rx.respond(() => ({ status: 200 }));
  clock.advance(86_400_000);
  await worker.runOnce();
  assert.equal(rx.received.length, sent, 'no request: there is no body to send');
  const [after] = await deliveriesOf(sub.id);
  assert.equal(after!.status, 'failed');
  assert.match(after!.last_error!, /no longer stored/);
  const base = `/qcards/webhooks/v1/subscriptions/${sub.id}`;
  const call = (path: string, payload?: object) =>
    app.inject({ method: 'POST', url: `${base}${path}`, headers: { authorization: org.owner.auth }, ...(payload ? { payload } : {}) });
  assert.equal((await call(`/events/${row!.id}/redeliver`)).statusCode, 404);
  const replayed = await call('/replay', { status: 'failed' });
  assert.equal(replayed.statusCode, 202, replayed.body);
  assert.deepEqual(replayed.json(), { replayed: 0 });
  assert.equal((await deliveriesOf(sub.id))[0]!.status, 'failed', 'left failed by the replay');
  const log = await app.inject({ method: 'GET', url: `${base}/events`, headers: { authorization: org.owner.auth } });
  assert.equal(log.statusCode, 200);
  assert.equal(log.json().events[0].body, null);
});

test('retention removes the old events of every organization and keeps their recent ones', async () => {
  const orgs = [await createOrgFixture(db), await createOrgFixture(db)];
  const cards = [];
  for (const org of orgs) cards.push(...(await insertTestCards(db, org, [{ holder: org.employee }])));
  for (const card of cards) await emitCardEvent(db, card, 'created', clock.now());
  clock.advance((deps.config.retentionDays + 1) * 86_400_000);
  for (const card of cards) await emitCardEvent(db, card, 'locked', clock.now());
  await worker.removeExpired();
  for (const card of cards) {
    const events = await db.selectFrom('card_events').select('event').where('card_id', '=', card.id).execute();
    assert.deepEqual(events.map((e) => e.event), ['locked'], `the events of ${card.organization_id}`);
  }
});

test('events and attempts older than the retention are removed; pending deliveries are kept, with their events', async () => {
  const { rx, sub, card } = await setup();
  await emitCardEvent(db, card, 'created', clock.now());
  await worker.runOnce();
  rx.respond(() => ({ status: 500 }));
  await emitCardEvent(db, card, 'locked', clock.now());
  await worker.runOnce();
  const firstTry = rx.received.at(-1)!.body;
  clock.advance((deps.config.retentionDays + 1) * 86_400_000);
  await worker.removeExpired();
  const left = await deliveriesOf(sub.id);
  assert.deepEqual(left.map((d) => d.status), ['pending']);
  const attempts = await db.selectFrom('webhook_attempts').select('id').where('subscription_id', '=', sub.id).execute();
  assert.equal(attempts.length, 0);
  // The pending delivery's body is built from its event: the event stays, the delivered one's goes.
  const events = await db.selectFrom('card_events').select(['id', 'event']).where('card_id', '=', card.id).execute();
  assert.deepEqual(events.map((e) => e.event), ['locked']);
  // Its retry, a month on, sends the very bytes of its first try (other tests' rows may come due with it).
  rx.respond(() => ({ status: 200 }));
  await worker.runOnce();
  const tries = rx.received.filter((r) => r.headers['webhook-id'] === left[0]!.id);
  assert.deepEqual(tries.map((r) => r.body), [firstTry, firstTry]);
  assert.equal((await deliveriesOf(sub.id))[0]!.status, 'delivered');
});
