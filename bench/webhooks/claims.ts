// `npm run bench:claims`: what a claim costs per row (src/webhooks/delivery-store.ts claimDue), the statement a
// separate worker (`qcards worker`) runs on its latency path. A due backlog of 10,000 events × 2 subscriptions,
// claimed 64 rows at a time (32 a subscription) by one connection with nothing else running, timed from the
// client. To compare two commits, run this file in a worktree of the other (it uses only claimDue, recordCardEvent
// and the test fixtures). Database: QCARDS_BENCH_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/qcards_bench_claims, dropped and created anew (never the `test` database).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { openEngine } from '../../src/db/engine.ts';
import { migrate } from '../../src/db/migrate.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { recordCardEvent } from '../../src/services/card-events.ts';
import { generateSecret } from '../../src/services/webhook-subscriptions.ts';
import { claimDue } from '../../src/webhooks/delivery-store.ts';
import { createOrgFixture, insertTestCards } from '../../test/helpers/fixtures.ts';
import { freshBenchDatabase } from '../database.ts';

const url = process.env.QCARDS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/qcards_bench_claims';
await freshBenchDatabase(url);
const engine = await openEngine({ databaseUrl: url, poolSize: 4 });
const db = engine.db;
await migrate(db);
const org = await createOrgFixture(db, 'claims');
const cards = await insertTestCards(db, org, Array.from({ length: 500 }, () => ({ holder: org.employee })));
const subs = [randomUUID(), randomUUID()];
const at = new Date();
await db.insertInto('webhook_subscriptions').values(subs.map((id, i) => ({ id, organization_id: org.id, membership_id: org.owner.id,
  callback_url: `http://127.0.0.1:9/h${i}`, types: ['v1/cards'], description: null, secret: generateSecret(), disabled_reason: null, created_at: at, updated_at: at }))).execute();
const EVENTS = 10_000;
for (let i = 0; i < EVENTS; i += 100) {
  await inTransaction(db, async (trx) => {
    for (let j = i; j < i + 100; j++) await recordCardEvent(trx, { card: cards[j % cards.length]!, event: 'nickname_updated', actorMembershipId: null, at: new Date() });
  });
}
await sql`VACUUM ANALYZE`.execute(db);
const times: number[] = [];
let rows = 0;
const now = new Date(Date.now() + 1000);
// Five claims to warm up (connections, the prepared statement's plan), not counted.
for (let k = 0; k < 5; k++) await claimDue(db, { now, leaseMs: 60_000, limit: 64, skip: [], shares: { subscriptionIds: subs, rows: [32, 32] }, otherShare: 4 });
for (;;) {
  const t = performance.now();
  const got = await claimDue(db, { now, leaseMs: 60_000, limit: 64, skip: [], shares: { subscriptionIds: subs, rows: [32, 32] }, otherShare: 4 });
  times.push(performance.now() - t);
  rows += got.length;
  if (got.length === 0 || rows > 12_000) break;
}
times.sort((a, b) => a - b);
const total = times.reduce((s, x) => s + x, 0);
console.log(`| claims: ${times.length} of up to 64 rows | ${rows} rows, ${(total / rows).toFixed(4)} ms a row, a claim p50 ${times[Math.floor(times.length / 2)]!.toFixed(2)} ms, p90 ${times[Math.floor(times.length * 0.9)]!.toFixed(2)} ms |`);
await engine.close();
