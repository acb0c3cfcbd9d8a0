import { loadConfig } from '../../src/config.ts';
import { openEngine } from '../../src/db/engine.ts';
import type { CardRecord } from '../../src/domain/card.ts';
import { recordCardEvent } from '../../src/services/card-events.ts';
import { wakeWorkers } from '../../src/webhooks/wake.ts';

// The event producer of the latency runs, in a process of its own as the API server is in production: it
// records one `limits_updated` event per card at `rate` events/s, each in one statement as a card write does,
// and reports when each committed, waking the workers after each commit as the API server does. Sharing the worker's event loop, it delayed the very deliveries it timed.
// Its pool has QCARDS_POOL_SIZE connections, as `qcards serve` would (20 by default).
// argv: databaseUrl organizationId rate count. Messages: 'ready' → (parent) 'go' → { committed, achieved }.

const [databaseUrl, organizationId, rateArg, countArg] = process.argv.slice(2) as [string, string, string, string];
const rate = Number(rateArg);
const count = Number(countArg);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const engine = await openEngine({ databaseUrl, poolSize: loadConfig().poolSize });
const rows = await engine.db.selectFrom('cards').selectAll().where('organization_id', '=', organizationId).orderBy('id').limit(count).execute();
const cards: CardRecord[] = rows.map(({ search_text: _s, api_json: _a, version: _v, ...card }) => card);
if (cards.length < count) throw new Error(`only ${cards.length} cards, ${count} needed`);

process.on('message', async (message) => {
  if (message !== 'go') return;
  const committed: Array<[string, number]> = [];
  const start = now() + 50;
  const inflight = new Set<Promise<void>>();
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - now();
    if (wait > 1) await sleep(wait);
    const card = cards[i]!;
    const p = recordCardEvent(engine.db, { card, event: 'limits_updated', actorMembershipId: null, at: new Date() })
      .then(({ queued }) => {
        committed.push([card.id, now()]);
        if (queued > 0) wakeWorkers(engine.db);
      });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    if (inflight.size > 64) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  const achieved = count / ((now() - start) / 1000);
  await engine.close();
  // Exit once the report is written: process.exit right after send dropped a large message.
  process.send!({ committed, achieved }, () => process.exit(0));
});
process.send!('ready');
process.on('disconnect', () => process.exit(0));
