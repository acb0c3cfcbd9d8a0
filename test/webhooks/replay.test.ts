import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { WebhookWorker } from '../../src/webhooks/worker.ts';
import { startTestApp } from '../helpers/app.ts';
import { createOrgFixture, insertTestCards } from '../helpers/fixtures.ts';
import { emitCardEvent, startReceiver } from '../helpers/webhooks.ts';

const { app, deps, clock } = await startTestApp({ webhookAllowLoopback: true });
const db = deps.engine.db;
const worker = new WebhookWorker(deps);
after(() => worker.stop());

async function setup() {
  const org = await createOrgFixture(db);
  const rx = await startReceiver();
  const res = await app.inject({ method: 'POST', url: '/v2/webhook_subscriptions', headers: { authorization: org.owner.auth }, payload: { callback_url: rx.url, types: ['v1/cards'] } });
  const sub = res.json();
  const [card] = await insertTestCards(db, org, [{ holder: org.employee }]);
  const base = `/qcards/webhooks/v1/subscriptions/${sub.id}`;
  const call = (method: 'GET' | 'POST', path: string, payload?: object) =>
    app.inject({ method, url: `${base}${path}`, headers: { authorization: org.owner.auth }, ...(payload ? { payload } : {}) });
  return { org, rx, sub, card: card!, call, base };
}

test('the event log lists events newest first with every attempt, and filters by status, event and time', async () => {
  const { rx, card, call } = await setup();
  rx.respond(() => ({ status: 500, body: 'not today' }));
  await emitCardEvent(db, card, 'created', clock.now());
  await worker.runOnce();
  rx.respond(() => ({ status: 200, body: 'ok' }));
  clock.advance(1000);
  const since = clock.now().toISOString();
  await emitCardEvent(db, card, 'locked', clock.now());
  await worker.runOnce();

  const all = await call('GET', '/events');
  assert.equal(all.statusCode, 200);
  const { events, meta } = all.json();
  assert.equal(meta.total_count, 2);
  assert.deepEqual(events.map((e: { event: string }) => e.event), ['locked', 'created']);
  const [locked, created] = events;
  assert.equal(locked.status, 'delivered');
  assert.equal(locked.attempts.length, 1);
  assert.equal(locked.attempts[0].status_code, 200);
  assert.equal(locked.attempts[0].response_excerpt, 'ok');
  assert.equal(typeof locked.attempts[0].latency_ms, 'number');
  assert.equal(created.status, 'pending');
  assert.equal(created.attempts[0].status_code, 500);
  assert.equal(created.attempts[0].response_excerpt, 'not today');
  assert.equal(JSON.parse(created.body).id, created.id);

  assert.deepEqual((await call('GET', '/events?status=pending')).json().events.map((e: { id: string }) => e.id), [created.id]);
  assert.deepEqual((await call('GET', '/events?event=locked')).json().events.map((e: { id: string }) => e.id), [locked.id]);
  assert.deepEqual((await call('GET', `/events?since=${encodeURIComponent(since)}`)).json().events.map((e: { id: string }) => e.id), [locked.id]);
  const bad = await call('GET', '/events?status=lost');
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(bad.json().errors[0].source, { parameter: 'status' });
  for (const event of ['%00', 'lost_card']) {
    const res = await call('GET', `/events?event=${event}`);
    assert.equal(res.statusCode, 400, event);
    assert.deepEqual(res.json().errors[0].source, { parameter: 'event' });
  }
});

test('redelivering an event sends it again with the same id', async () => {
  const { rx, card, call } = await setup();
  await emitCardEvent(db, card, 'created', clock.now());
  await worker.runOnce();
  const [event] = (await call('GET', '/events')).json().events;
  const res = await call('POST', `/events/${event.id}/redeliver`);
  assert.equal(res.statusCode, 202);
  assert.deepEqual(res.json(), { id: event.id, status: 'pending' });
  await worker.runOnce();
  assert.equal(rx.received.length, 2);
  assert.equal(rx.received[0]!.body, rx.received[1]!.body);
  const unknown = await call('POST', '/events/00000000-0000-4000-8000-000000000000/redeliver');
  assert.equal(unknown.statusCode, 404);
});

test('replay sends again every failed event, or every event since a time', async () => {
  const { rx, card, call } = await setup();
  rx.respond(() => ({ status: 410 }));
  await emitCardEvent(db, card, 'created', clock.now());
  await worker.runOnce();
  assert.equal((await call('GET', '/events?status=failed')).json().meta.total_count, 1);
  // Disabled by the 410: replay asks for the subscription to be enabled first.
  const disabled = await call('POST', '/replay', { status: 'failed' });
  assert.equal(disabled.statusCode, 422);
  assert.equal(disabled.json().errors[0].code, 'subscription_disabled');
});

test('replay of failed events after the receiver is fixed delivers them all', async () => {
  const { rx, card, call } = await setup();
  rx.respond(() => ({ status: 500 }));
  for (let i = 0; i < 3; i++) await emitCardEvent(db, card, 'limits_updated', clock.now());
  // Burn the whole schedule.
  for (let i = 0; i < 12; i++) {
    await worker.runOnce();
    clock.advance(2 * 86_400_000);
  }
  assert.equal((await call('GET', '/events?status=failed')).json().meta.total_count, 3);
  rx.respond(() => ({ status: 200 }));
  const res = await call('POST', '/replay', { status: 'failed' });
  assert.equal(res.statusCode, 202);
  assert.deepEqual(res.json(), { replayed: 3 });
  await worker.runOnce();
  assert.equal((await call('GET', '/events?status=delivered')).json().meta.total_count, 3);
  const since = await call('POST', '/replay', { since: new Date(0).toISOString() });
  assert.deepEqual(since.json(), { replayed: 3 });
  const neither = await call('POST', '/replay', {});
  assert.equal(neither.statusCode, 400);
  const both = await call('POST', '/replay', { status: 'failed', since: new Date(0).toISOString() });
  assert.equal(both.statusCode, 400);
});

test('a test event is signed and delivered like any other', async () => {
  const { rx, sub, call } = await setup();
  const res = await call('POST', '/test');
  assert.equal(res.statusCode, 202);
  await worker.runOnce();
  assert.equal(rx.received.length, 1);
  const envelope = JSON.parse(rx.received[0]!.body);
  assert.equal(envelope.id, res.json().id);
  assert.equal(envelope.subscription_id, sub.id);
  assert.deepEqual(envelope.data, { event: 'test' });
  assert.equal(rx.received[0]!.body, JSON.stringify({
    id: envelope.id, subscription_id: sub.id, organization_id: envelope.organization_id, membership_id: envelope.membership_id,
    type: 'v1/cards', created_at: envelope.created_at, data: { event: 'test' },
  }), 'byte for byte');
  assert.match(envelope.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test("another member's or organization's subscription log is a 404, and the webhook scope is required", async () => {
  const { org, base } = await setup();
  const other = await createOrgFixture(db);
  for (const auth of [org.admin.auth, other.owner.auth]) {
    const res = await app.inject({ method: 'GET', url: `${base}/events`, headers: { authorization: auth } });
    assert.equal(res.statusCode, 404);
    const t = await app.inject({ method: 'POST', url: `${base}/test`, headers: { authorization: auth } });
    assert.equal(t.statusCode, 404);
  }
  const noScope = await org.token(org.owner, ['card.read']);
  assert.equal((await app.inject({ method: 'GET', url: `${base}/events`, headers: { authorization: noScope } })).statusCode, 403);
});
