import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { outboxNeedsOwnVacuum } from '../../src/webhooks/delivery-store.ts';
import { WebhookWorker } from '../../src/webhooks/worker.ts';
import { startTestApp } from '../helpers/app.ts';
import { eventually } from '../helpers/eventually.ts';
import { createOrgFixture, insertTestCards } from '../helpers/fixtures.ts';
import { makeCard, put } from '../helpers/lifecycle.ts';
import { emitCardEvent, startReceiver } from '../helpers/webhooks.ts';

// The running worker as `qcards serve` starts it: woken by LISTEN/NOTIFY after each commit that queued deliveries.
const { app, deps, clock } = await startTestApp({ webhookAllowLoopback: true });
const db = deps.engine.db;

/** A started worker (stopped after the test), an organization, and a receiver subscribed to its v1/cards events. */
async function subscribedWorker(options: ConstructorParameters<typeof WebhookWorker>[1] = {}) {
  const worker = new WebhookWorker(deps, options);
  await worker.start();
  after(() => worker.stop());
  const org = await createOrgFixture(db);
  const rx = await startReceiver();
  const res = await app.inject({ method: 'POST', url: '/v2/webhook_subscriptions', headers: { authorization: org.owner.auth }, payload: { callback_url: rx.url, types: ['v1/cards'] } });
  assert.equal(res.statusCode, 201);
  /** Bounded wait (10 s) until the receiver holds n requests. */
  const received = async (n: number) => {
    for (let i = 0; i < 200 && rx.received.length < n; i++) await new Promise((r) => setTimeout(r, 50));
    return rx.received.map((r) => JSON.parse(r.body).data.event as string);
  };
  return { org, received };
}

test('a started worker delivers committed changes without being asked', async () => {
  const { org, received } = await subscribedWorker();
  const [card] = await insertTestCards(db, org, [{ holder: org.employee }]);
  for (const event of ['created', 'locked', 'unlocked'] as const) await emitCardEvent(db, card!, event, clock.now());
  assert.deepEqual((await received(3)).sort(), ['created', 'locked', 'unlocked']);
});

test('a change through the API wakes a sleeping worker at once, on both engines (the poll is only a backstop)', async () => {
  // A one-minute poll: only the wake-up sent after each commit can deliver within the bounded wait.
  const { org, received } = await subscribedWorker({ pollMs: 60_000 });
  const card = await makeCard(app, org, 'virtual');
  assert.deepEqual(await received(1), ['created']);
  assert.equal((await put(app, org.owner, card.id, 'lock')).statusCode, 200);
  assert.deepEqual(await received(2), ['created', 'locked']);
});

test('where nothing else vacuums the outbox (PGlite, autovacuum off), a started worker vacuums it as attempts accumulate', async () => {
  const missing = await outboxNeedsOwnVacuum(deps.engine);
  const vacuums = async () => {
    const result = await sql<{ n: string }>`SELECT vacuum_count AS n FROM pg_stat_user_tables WHERE relname = 'webhook_deliveries'`.execute(db);
    return Number(result.rows[0]!.n);
  };
  const before = await vacuums();
  const { org, received } = await subscribedWorker({ vacuumEveryAttempts: 3 });
  const [card] = await insertTestCards(db, org, [{ holder: org.employee }]);
  for (const event of ['locked', 'unlocked', 'locked', 'unlocked'] as const) await emitCardEvent(db, card!, event, clock.now());
  assert.equal((await received(4)).length, 4);
  if (missing) await eventually(async () => (await vacuums()) > before, 'the outbox vacuumed after 3 attempts', 5000);
  else assert.equal(await vacuums(), before, 'left to autovacuum');
});
