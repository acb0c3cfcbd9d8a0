import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { WebhookWorker } from '../../src/webhooks/worker.ts';
import { startTestApp } from '../helpers/app.ts';
import { createOrgFixture, insertTestCards } from '../helpers/fixtures.ts';
import { makeCard, put } from '../helpers/lifecycle.ts';
import { emitCardEvent, startReceiver } from '../helpers/webhooks.ts';

// The running worker as `qcards serve` starts it: woken by LISTEN/NOTIFY after each commit that queued deliveries.
const { app, deps, clock } = await startTestApp({ webhookAllowLoopback: true });
const db = deps.engine.db;

test('a started worker delivers committed changes without being asked', async () => {
  const worker = new WebhookWorker(deps);
  await worker.start();
  after(() => worker.stop());
  const org = await createOrgFixture(db);
  const rx = await startReceiver();
  const res = await app.inject({ method: 'POST', url: '/v2/webhook_subscriptions', headers: { authorization: org.owner.auth }, payload: { callback_url: rx.url, types: ['v1/cards'] } });
  assert.equal(res.statusCode, 201);
  const [card] = await insertTestCards(db, org, [{ holder: org.employee }]);
  for (const event of ['created', 'locked', 'unlocked'] as const) await emitCardEvent(db, card!, event, clock.now());
  // Bounded wait (20 s) for the loop to pick them up.
  for (let i = 0; i < 400 && rx.received.length < 3; i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(rx.received.map((r) => JSON.parse(r.body).data.event).sort(), ['created', 'locked', 'unlocked']);
});

test('a change through the API wakes a sleeping worker at once, on both engines (the poll is only a backstop)', async () => {
  // A one-minute poll: only the wake-up sent after each commit can deliver within the bounded wait below.
  const worker = new WebhookWorker(deps, { pollMs: 60_000 });
  await worker.start();
  after(() => worker.stop());
  const org = await createOrgFixture(db);
  const rx = await startReceiver();
  const res = await app.inject({ method: 'POST', url: '/v2/webhook_subscriptions', headers: { authorization: org.owner.auth }, payload: { callback_url: rx.url, types: ['v1/cards'] } });
  assert.equal(res.statusCode, 201);
  const waitFor = async (n: number) => {
    for (let i = 0; i < 200 && rx.received.length < n; i++) await new Promise((r) => setTimeout(r, 50));
  };
  const card = await makeCard(app, org, 'virtual');
  await waitFor(1);
  assert.equal((await put(app, org.owner, card.id, 'lock')).statusCode, 200);
  await waitFor(2);
  assert.deepEqual(rx.received.map((r) => JSON.parse(r.body).data.event), ['created', 'locked']);
});
