import { loadConfig } from '../../src/config.ts';
import { openEngine } from '../../src/db/engine.ts';
import { randomUUID } from 'node:crypto';
import type { CardWrite } from '../../src/db/queries/cards.ts';
import { saveCardInBatch } from '../../src/services/card-write-batches.ts';
import { wakeupsSent } from '../../src/webhooks/wake.ts';

// The event producer of the latency runs, in a process of its own as the API server is in production: it
// changes one card's limits at `rate` changes/s through the API server's write path (the card, its
// `limits_updated` event and the event's deliveries in one statement, shared with the changes in flight at the
// same time: src/services/card-write-batches.ts, which wakes the workers after each commit), and reports when
// each committed. Sharing the worker's event loop, it delayed the very deliveries it timed.
// Its pool has QCARDS_POOL_SIZE connections, as `qcards serve` would (20 by default).
// argv: databaseUrl organizationId rate count. Messages: 'ready' → (parent) 'go' → { committed, achieved }.

const [databaseUrl, organizationId, rateArg, countArg] = process.argv.slice(2) as [string, string, string, string];
const rate = Number(rateArg);
const count = Number(countArg);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const engine = await openEngine({ databaseUrl, poolSize: loadConfig().poolSize });
const rows = await engine.db.selectFrom('cards').innerJoin('memberships', 'memberships.id', 'cards.holder_id')
  .selectAll('cards').select(['memberships.first_name', 'memberships.last_name'])
  .where('cards.organization_id', '=', organizationId).orderBy('cards.id').limit(count).execute();
const cards: CardWrite[] = rows.map(({ search_text: _s, api_json: _a, version, first_name, last_name, ...card }) => ({ card, holder: { first_name, last_name }, version }));
if (cards.length < count) throw new Error(`only ${cards.length} cards, ${count} needed`);

process.on('message', async (message) => {
  if (message !== 'go') return;
  const committed: Array<[string, number]> = [];
  const start = now() + 50;
  const inflight = new Set<Promise<void>>();
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - now();
    if (wait > 1) await sleep(wait);
    const at = new Date();
    const { card, holder, version } = cards[i]!;
    const changed = { ...card, payment_monthly_limit: card.payment_monthly_limit + 1, updated_at: at };
    const p = saveCardInBatch(engine.db, { card: changed, holder, version }, { id: randomUUID(), card: changed, event: 'limits_updated', actorMembershipId: null, at })
      .then((written) => {
        if (written === null) throw new Error(`card ${card.id} changed under the producer`);
        committed.push([card.id, now()]);
      });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    if (inflight.size > 64) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  const achieved = count / ((now() - start) / 1000);
  await wakeupsSent(engine.db);
  await engine.close();
  // Exit once the report is written: process.exit right after send dropped a large message.
  process.send!({ committed, achieved }, () => process.exit(0));
});
process.send!('ready');
process.on('disconnect', () => process.exit(0));
