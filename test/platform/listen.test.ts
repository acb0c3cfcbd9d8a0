import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openEngine } from '../../src/db/engine.ts';
import { listen } from '../../src/db/listen.ts';
import { NOTIFY_CHANNEL, wakeWorkers, wakeupsSent } from '../../src/webhooks/wake.ts';
import { TEST_ENGINE, openTestEngine } from '../helpers/engine.ts';
import { eventually } from '../helpers/eventually.ts';

// src/db/listen.ts: the LISTEN connection behind the webhook worker's wake-ups and the authentication cache.
// A process that stops must give its connection back whatever state the LISTEN is in, or closing the pool
// (shutdown) never finishes.

const skip = TEST_ENGINE !== 'postgres' ? 'PGlite has no connection to lose' : false;
const silent = { warn() {} };
const within = <T>(ms: number, p: Promise<T>, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms).unref())]);

test('notifications arrive, a lost connection comes back, and stopping mid-reconnect gives the connection back', { skip }, async () => {
  const base = await openTestEngine();
  const engine = await openEngine({ databaseUrl: base.databaseUrl, poolSize: 2 });
  try {
    const seen: string[] = [];
    const stop = await listen(engine, 'qcards_listen_test', {
      notify: () => seen.push('notify'), up: () => seen.push('up'), down: () => seen.push('down'),
    }, { retryMs: 200, log: silent });
    assert.deepEqual(seen, ['up']);
    await sql`SELECT pg_notify('qcards_listen_test', '')`.execute(base.engine.db);
    await eventually(() => seen.includes('notify'), 'the notification arrives');
    assert.ok(seen.includes('notify'), 'the notification arrived');

    const kill = sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN qcards_listen_test'`;
    await kill.execute(base.engine.db);
    await eventually(() => seen.filter((s) => s === 'up').length === 2, 'listening again', 3000);
    assert.deepEqual(seen.slice(-2), ['down', 'up'], 'lost, then listening again');

    // Lost again, and stopped while the reconnection is pending.
    await kill.execute(base.engine.db);
    await eventually(() => seen.at(-1) === 'down', 'the second loss is seen');
    await stop();
    await new Promise((r) => setTimeout(r, 300));
    assert.notEqual(seen.at(-1), 'up', 'no reconnection after the stop');
    const pool = engine.pgPool!;
    assert.equal(pool.totalCount - pool.idleCount, 0, 'no connection is still checked out');
    await within(3000, engine.close(), 'closing the pool');
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'LISTEN qcards_listen_test'`.execute(base.engine.db);
    assert.equal(rows[0]!.n, 0, 'no listening connection is left open');
  } finally {
    await base.close();
  }
});

test('listening takes no connection of the pool: a pool of one still answers queries while two LISTENs hold', { skip }, async () => {
  const base = await openTestEngine();
  const engine = await openEngine({ databaseUrl: base.databaseUrl, poolSize: 1 });
  try {
    const stops = [
      await listen(engine, 'qcards_listen_test_a', { notify() {} }, { retryMs: 200, log: silent }),
      await listen(engine, 'qcards_listen_test_b', { notify() {} }, { retryMs: 200, log: silent }),
    ];
    const { rows } = await within(3000, sql<{ one: number }>`SELECT 1 AS one`.execute(engine.db), 'a query on a pool of one');
    assert.equal(rows[0]!.one, 1);
    for (const stop of stops) await stop();
    await within(3000, engine.close(), 'closing the pool');
  } finally {
    await base.close();
  }
});


test('wakeupsSent: the NOTIFY of a commit made just before closing the pool is sent, not dropped', { skip }, async () => {
  const base = await openTestEngine();
  try {
    const seen: string[] = [];
    const stop = await listen(base.engine, NOTIFY_CHANNEL, { notify: () => seen.push('notify') }, { retryMs: 200, log: silent });
    for (let i = 0; i < 5; i++) {
      const writer = await openEngine({ databaseUrl: base.databaseUrl, poolSize: 2 });
      wakeWorkers(writer.db);
      await wakeupsSent(writer.db);
      await writer.close();
      await eventually(() => seen.length === i + 1, `wake-up ${i + 1} arrives`);
    }
    await stop();
  } finally {
    await base.close();
  }
});
