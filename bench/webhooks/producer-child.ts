import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { loadConfig } from '../../src/config.ts';
import { openEngine } from '../../src/db/engine.ts';
import { timeOrderedId } from '../../src/db/ids.ts';
import type { CardWrite } from '../../src/db/queries/cards.ts';
import { systemClock } from '../../src/domain/clock.ts';
import { saveCardInBatch } from '../../src/services/card-write-batches.ts';
import { wakeupsSent } from '../../src/webhooks/wake.ts';
import { WebhookWorker, type WorkerCounts } from '../../src/webhooks/worker.ts';
import { percentile } from './stats.ts';

// The API server of the latency runs, in a process of its own as in production: it changes cards' limits at
// `rate` changes/s through the API server's write path (the card, its `limits_updated` event and the event's
// deliveries in one statement, shared with the changes in flight at the same time:
// src/services/card-write-batches.ts), and reports when each committed. With `embedded`, it also runs the
// webhook worker, as `qcards serve` does by default, which then takes the deliveries of this process's writes
// straight from the write (src/webhooks/handoff.ts); without, a worker in another process claims them when woken
// by NOTIFY, as with `qcards worker`. It is a process of its own because, run on the benchmark's event loop (which
// holds the receiver's reports and phase 2's worker), it delayed the very deliveries it timed.
// Its pool has QCARDS_POOL_SIZE connections, as `qcards serve` would (20 by default).
//
// argv: databaseUrl organizationId cardCount embedded(0|1). Messages: → 'ready'; (parent) { rate, warm, count }
// → { committed, achieved }, as often as asked; (parent) 'stop' → exits once its deliveries are done.

const [databaseUrl, organizationId, cardCountArg, embeddedArg] = process.argv.slice(2) as [string, string, string, string];
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const config = { ...loadConfig({}), databaseUrl, webhookAllowLoopback: true };
const engine = await openEngine({ databaseUrl, poolSize: config.poolSize });
const worker = embeddedArg === '1' ? new WebhookWorker({ engine, config, clock: systemClock }) : undefined;
await worker?.start();
const rows = await engine.db.selectFrom('cards').innerJoin('memberships', 'memberships.id', 'cards.holder_id')
  .selectAll('cards').select(['memberships.first_name', 'memberships.last_name'])
  .where('cards.organization_id', '=', organizationId).orderBy('cards.id').limit(Number(cardCountArg)).execute();
const cards: CardWrite[] = rows.map(({ search_text: _s, api_json: _a, version, first_name, last_name, ...card }) => ({ card, holder: { first_name, last_name }, version }));

interface Run {
  rate: number;
  /** Changes made first at the same rate and not reported: JIT, connections and caches warm up as in a running server. */
  warm: number;
  count: number;
}

/**
 * What this process spent on a run: CPU seconds, its event loop's delays (ms) while the run went on, and how long
 * its changes took from the call to their commit (ms: waiting for a statement, then the statement).
 */
export interface ProcessLoad {
  cpuSeconds: number;
  loopDelayP99: number;
  loopDelayMax: number;
  writeP50: number;
  writeP99: number;
}

const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

/** BENCH_TIMELINE: this process's garbage collections, [start (epoch ms), pause (ms)], for the parent's timeline. */
let collections: Array<[number, number]> = [];
if (process.env.BENCH_TIMELINE) {
  new PerformanceObserver((list) => {
    for (const gc of list.getEntries()) collections.push([performance.timeOrigin + gc.startTime, gc.duration]);
  }).observe({ entryTypes: ['gc'] });
}

async function run({ rate, warm, count }: Run): Promise<{ committed: Array<[string, number]>; achieved: number; counts?: WorkerCounts; load: ProcessLoad; collections: Array<[number, number]> }> {
  // The changes go round the cards: the warm-up changes the very cards the runs change, so that their pages
  // settle first (a card's first changes move it to pages with room; until then they update every index).
  if (cards.length < 1000) throw new Error(`only ${cards.length} cards, 1000 at least needed`);
  const committed: Array<[string, number]> = [];
  const writeTimes: number[] = [];
  const start = now() + 50;
  const measuredFrom = start + (warm * 1000) / rate;
  let cpuFrom: NodeJS.CpuUsage | undefined;
  const inflight = new Set<Promise<void>>();
  for (let i = 0; i < warm + count; i++) {
    if (i === warm) {
      cpuFrom = process.cpuUsage();
      loopDelay.reset();
      collections = [];
    }
    const wait = start + (i * 1000) / rate - now();
    if (wait > 1) await sleep(wait);
    const at = new Date();
    const called = now();
    const slot = i % cards.length;
    const { card, holder, version } = cards[slot]!;
    const changed = { ...card, payment_monthly_limit: card.payment_monthly_limit + 1, updated_at: at };
    const p = saveCardInBatch(engine.db, { card: changed, holder, version }, { id: timeOrderedId(), card: changed, event: 'limits_updated', actorMembershipId: null, at })
      .then((written) => {
        if (written === null) throw new Error(`card ${card.id} changed under the producer`);
        if (i >= warm) {
          const committedAt = now();
          committed.push([card.id, committedAt]);
          writeTimes.push(committedAt - called);
        }
        cards[slot] = { card: changed, holder, version: written };
      });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    if (inflight.size > 64) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  const achieved = count / ((now() - measuredFrom) / 1000);
  // Until the deliveries of the last changes are out (the parent waits for their arrivals the same way).
  await sleep(100);
  const cpu = process.cpuUsage(cpuFrom);
  writeTimes.sort((a, b) => a - b);
  const load = {
    cpuSeconds: (cpu.user + cpu.system) / 1e6, loopDelayP99: loopDelay.percentile(99) / 1e6, loopDelayMax: loopDelay.max / 1e6,
    writeP50: percentile(writeTimes, 50), writeP99: percentile(writeTimes, 99),
  };
  return { committed, achieved, counts: worker?.counts, load, collections };
}

process.on('message', async (message: Run | 'stop') => {
  if (message !== 'stop') {
    process.send!(await run(message));
    return;
  }
  await wakeupsSent(engine.db);
  await worker?.stop();
  await engine.close();
  process.exit(0);
});
process.send!('ready');
process.on('disconnect', () => process.exit(0));
