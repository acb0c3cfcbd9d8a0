import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { verifyQontoSignature } from '../../src/webhooks/verify.js';
import { WebhookWorker } from '../../src/webhooks/worker.ts';
import { startTestApp } from '../helpers/app.ts';
import { createOrgFixture } from '../helpers/fixtures.ts';
import { startReceiver } from '../helpers/webhooks.ts';

// End to end: card writes through the HTTP API produce exactly the v1/cards deliveries CONTRACT.md names,
// signed, with the card as it is after each change (concurrent requests to one receiver may arrive in any order) — and the writes that Qonto announces nothing
// for (lost, a refused transition) produce none.

const { app, deps, clock } = await startTestApp({ webhookAllowLoopback: true });
const db = deps.engine.db;
const worker = new WebhookWorker(deps, {});
after(() => worker.stop());

test('each card write delivers its one v1/cards event, signed, with the card after the change', async () => {
  const org = await createOrgFixture(db);
  const rx = await startReceiver();
  const owner = { authorization: org.owner.auth };
  const sub = await app.inject({ method: 'POST', url: '/v2/webhook_subscriptions', headers: owner, payload: { callback_url: rx.url, types: ['v1/cards'] } });
  assert.equal(sub.statusCode, 201, sub.body);
  const { id: subscriptionId, secret } = sub.json();

  const created = await app.inject({
    method: 'POST', url: '/v2/cards', headers: { ...owner, 'x-qonto-idempotency-key': crypto.randomUUID() },
    payload: { card: { holder_id: org.employee.id, bank_account_id: org.accounts[0], card_level: 'standard', address: { first_line: '1 rue de Rivoli', zipcode: '75001', city: 'Paris', country: 'FR' } } },
  });
  assert.equal(created.statusCode, 200, created.body);
  const cardId = created.json().card.id;
  const write = async (method: 'PUT' | 'PATCH' | 'POST', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, headers: owner, ...(payload ? { payload: payload as object } : {}) });
    return res;
  };
  assert.equal((await write('POST', `/qcards/sandbox/v1/cards/${cardId}/activate`)).statusCode, 200);
  assert.equal((await write('PUT', `/v2/cards/${cardId}/lock`)).statusCode, 200);
  // A refused transition (locking a paused card) changes nothing and emits nothing.
  assert.equal((await write('PUT', `/v2/cards/${cardId}/lock`)).statusCode, 422);
  assert.equal((await write('PUT', `/v2/cards/${cardId}/unlock`)).statusCode, 200);
  assert.equal((await write('PATCH', `/v2/cards/${cardId}/nickname`, { card: { nickname: 'Déplacements 🚆' } })).statusCode, 200);
  assert.equal((await write('PATCH', `/v2/cards/${cardId}/options`, { card: { atm_option: false, nfc_option: true, online_option: true, foreign_option: false } })).statusCode, 200);
  assert.equal((await write('PATCH', `/v2/cards/${cardId}/limits`, { card: { payment_monthly_limit: 3000 } })).statusCode, 200);
  assert.equal((await write('PATCH', `/v2/cards/${cardId}/restrictions`, { card: { active_days: [1, 2, 3, 4, 5], categories: ['transport'] } })).statusCode, 200);
  const lost = await write('PUT', `/v2/cards/${cardId}/lost`);
  assert.equal(lost.statusCode, 200);

  // Deliver everything due (one pass may not drain the queue if deliveries are batched).
  for (let i = 0; i < 20 && rx.received.length < 8; i++) await worker.runOnce();
  const events = rx.received.map((r) => JSON.parse(r.body));
  assert.deepEqual(events.map((e) => e.data.event).sort(), [
    'created', 'activated', 'locked', 'unlocked', 'nickname_updated', 'options_updated', 'limits_updated', 'restrictions_updated',
  ].sort());
  const of = (event: string) => events.find((e) => e.data.event === event);
  for (const [i, r] of rx.received.entries()) {
    assert.equal(verifyQontoSignature(r.body, String(r.headers['x-qonto-signature']), secret, 300, clock.now()), true);
    assert.equal(events[i].subscription_id, subscriptionId);
    assert.equal(events[i].data.id, cardId);
  }
  assert.equal(new Set(events.map((e) => e.id)).size, events.length);
  assert.equal(of('locked').data.status, 'paused');
  assert.equal(of('unlocked').data.status, 'live');
  assert.equal(of('nickname_updated').data.nickname, 'Déplacements 🚆');
  assert.equal(of('limits_updated').data.payment_monthly_limit, '3000.00');
  assert.deepEqual(of('restrictions_updated').data.category_tags, ['transport']);

  // The lost report (no event, CONTRACT.md) left nothing more to deliver.
  assert.equal(await worker.runOnce(), 0);
  assert.equal(rx.received.length, 8);
  assert.equal(lost.json().card.status, 'lost');
});
