import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { generateSecret } from '../../src/services/webhook-subscriptions.ts';
import { verifyQontoSignature } from '../../src/webhooks/verify.js';
import { TEST_ENGINE, openTestEngine } from '../helpers/engine.ts';
import { createOrgFixture, insertTestCards } from '../helpers/fixtures.ts';
import { emitCardEvent, startReceiver } from '../helpers/webhooks.ts';

// Crash safety: `qcards worker` processes are SIGKILLed again and again while card changes keep coming. Every
// event must arrive at least once, and every duplicate must carry the same id and bytes. PostgreSQL only:
// separate processes cannot share an embedded PGlite.

const skip = TEST_ENGINE !== 'postgres' ? 'needs PostgreSQL: worker processes cannot share an embedded PGlite database' : false;

test('workers killed with SIGKILL again and again lose no event', { skip }, async () => {
  const testEngine = await openTestEngine();
  after(() => testEngine.close());
  const db = testEngine.engine.db;
  const org = await createOrgFixture(db);
  const [card] = await insertTestCards(db, org, [{ holder: org.employee }]);
  const secret = generateSecret();
  // Answers after a few milliseconds, so that kills land in the middle of deliveries.
  const receiver = await startReceiver(() => ({ status: 200 }));
  const now = new Date();
  await db.insertInto('webhook_subscriptions').values({
    id: randomUUID(), organization_id: org.id, membership_id: org.owner.id, callback_url: receiver.url, types: ['v1/cards'],
    description: null, secret, disabled_reason: null, created_at: now, updated_at: now,
  }).execute();

  const children = new Set<ChildProcess>();
  after(() => { for (const c of children) c.kill('SIGKILL'); });
  const startWorker = (): Promise<ChildProcess> => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/qcards.js', 'worker'], {
      env: {
        ...process.env, DATABASE_URL: testEngine.databaseUrl, QCARDS_WEBHOOK_ALLOW_LOOPBACK: '1',
        QCARDS_WEBHOOK_TIMEOUT_MS: '300', QCARDS_WEBHOOK_LEASE_MS: '1500', LOG_LEVEL: 'fatal',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.add(child);
    child.on('exit', () => children.delete(child));
    // Generous: booting node + tsx took over 30 s with a load average above 20 on two cores.
    const timer = setTimeout(() => reject(new Error('a worker did not start within 120 s')), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('delivering webhooks')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
  });

  let producing = true;
  let emitted = 0;
  const producer = (async () => {
    while (producing) {
      await emitCardEvent(db, card!, 'nickname_updated', new Date());
      emitted++;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();

  // Two workers share the work; replacements are started ahead (a process takes seconds to boot on a loaded
  // machine), so that kills come while deliveries are in flight rather than once per boot.
  const workers = await Promise.all([startWorker(), startWorker()]);
  let spares = [startWorker()];
  let kills = 0;
  for (let round = 0; round < 4; round++) {
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 500));
    const victims = round === 3 ? [0, 1] : [round % 2];
    for (const i of victims) {
      workers[i]!.kill('SIGKILL');
      kills++;
    }
    for (const i of victims) workers[i] = await spares.shift()!;
    // The last round kills both workers at once, so it needs two spares.
    while (round < 3 && spares.length < (round === 2 ? 2 : 1)) spares.push(startWorker());
  }
  // Spares still booting join the end game as ordinary workers.
  workers.push(...(await Promise.all(spares)));
  spares = [];
  producing = false;
  await producer;

  const expected = (await db.selectFrom('webhook_deliveries').select('id').execute()).map((r) => r.id);
  assert.equal(expected.length, emitted, 'one delivery per event for the one subscription');
  // Bounded wait for the survivors to finish (killed claims come back after their lease).
  const deadline = Date.now() + 60_000;
  const receivedIds = () => new Set(receiver.received.map((r) => JSON.parse(r.body).id as string));
  for (;;) {
    const got = receivedIds();
    if (Date.now() > deadline || expected.every((id) => got.has(id))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const w of workers) w.kill('SIGKILL');

  const got = receivedIds();
  const missing = expected.filter((id) => !got.has(id));
  assert.deepEqual(missing, [], `${missing.length} of ${expected.length} events never arrived`);
  const bodyById = new Map<string, string>();
  for (const r of receiver.received) {
    const id = JSON.parse(r.body).id as string;
    assert.equal(r.headers['webhook-id'], id);
    if (bodyById.has(id)) assert.equal(r.body, bodyById.get(id), 'a duplicate carries the same id and bytes');
    bodyById.set(id, r.body);
    assert.ok(verifyQontoSignature(r.body, String(r.headers['x-qonto-signature']), secret));
  }
  // Killed between any two statements, the workers left the outbox consistent: a delivery is pending exactly
  // while it has a queue row (migration 018).
  const { rows: [mismatched] } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM webhook_deliveries d FULL JOIN webhook_queue q ON q.delivery_id = d.id
    WHERE (d.status = 'pending') IS DISTINCT FROM (q.delivery_id IS NOT NULL)`.execute(db);
  assert.equal(mismatched!.n, 0, 'pending exactly while queued');
  const duplicates = receiver.received.length - got.size;
  console.log(`crash test: ${emitted} events, ${kills} SIGKILLs, ${receiver.received.length} requests, ${duplicates} duplicates`);
});
