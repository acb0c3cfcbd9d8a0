// `npm run bench:webhooks`: webhook delivery on PostgreSQL with a local receiver (in its own thread).
//   1. ceiling: bare signed POSTs to the same receiver, no database;
//   2. sustained deliveries/s: a queued backlog drained by one worker;
//   3. commit-to-delivery latency at 1,000 events/s (BENCH_RATE), events made by a child process as the API
//      server would (bench/webhooks/producer-child.ts), twice: with the worker of phase 2 as a separate worker
//      process (LISTEN/NOTIFY wake-ups and claims), then with the worker inside that API server, as `qcards
//      serve` runs it by default (deliveries handed over by the writes: src/webhooks/handoff.ts). Each time
//      BENCH_WARMUP_PASSES (6) passes over the runs' cards at the same rate, not counted, then BENCH_ROUNDS (4)
//      rounds of three runs of BENCH_RATE_SECONDS (5), in an order drawn anew for each round (BENCH_SEED):
//   4. two without and one with one more subscriber that never answers. The two runs without are the A/A check
//      printed beside the comparison: how far apart runs that nothing tells apart come out on this machine.
// BENCH_CONFIGS=separate or =embedded runs only one of the two configurations of phase 3. BENCH_THIRD=answering
// makes the third subscriber one that answers at once (a control: what one more subscription costs, hanging or
// not).
// BENCH_TIMELINE=1 also prints the latency of each 250 ms of every run (with the API server's GC pauses), and each
// run's event-loop delay maxima and commit times. The comparison lines' intervals are bootstrap intervals over the
// rounds (./stats.ts): what that many rounds can tell apart, though one invocation's come out too narrow
// (BENCHMARKS.md, sixteenth session): pool invocations run with different BENCH_SEEDs with
// `npm run bench:webhooks:pool` (./pool.ts). BENCH_API_FLAGS: node flags for the API server process
// (`--max-semi-space-size=4`, as `npm start` runs it: BENCHMARKS.md, thirteenth session).
// Database: QCARDS_BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/qcards_bench_webhooks (created
// when missing; never the `test` database). Results are printed as Markdown for BENCHMARKS.md.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { Agent, request } from 'undici';
import { loadConfig } from '../../src/config.ts';
import { openEngine } from '../../src/db/engine.ts';
import { migrate } from '../../src/db/migrate.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import type { CardRecord } from '../../src/domain/card.ts';
import { systemClock } from '../../src/domain/clock.ts';
import { recordCardEvent } from '../../src/services/card-events.ts';
import { generateSecret } from '../../src/services/webhook-subscriptions.ts';
import { deliveryHeaders } from '../../src/webhooks/sign.ts';
import { WebhookWorker, type WorkerCounts } from '../../src/webhooks/worker.ts';
import { createOrgFixture, insertTestCards, type OrgFixture } from '../../test/helpers/fixtures.ts';
import { ensureBenchDatabase } from '../database.ts';
import { cpuSnapshot } from './cpu.ts';
import { bootstrapInterval, change, median, percentile, roundBaseline, roundRatioChange, seededRandom, shuffled, signedPercent } from './stats.ts';
import type { ProcessLoad } from './producer-child.ts';

const DATABASE_URL = process.env.QCARDS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/qcards_bench_webhooks';
const BACKLOG_EVENTS = Number(process.env.BENCH_BACKLOG_EVENTS ?? 5000);
const BACKLOG_SUBSCRIPTIONS = 4;
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 5);
/**
 * Passes over the runs' cards before the first run. Not only JIT and connections: a card's first changes move it
 * to pages with room for its next versions, and until they have, each change updates every index of `cards`
 * (its GIN index included) instead of none (a HOT update). With a 6 s warm-up over other cards, the two runs after
 * it made 3,000 such changes of 5,000 against 1,100 in the fourth, and an A/A check put the arm that had them
 * 782% above the other; after 3 passes the runs still made 1,191, 994, 50 and 395; after 6, 221 to 271
 * (pg_waldump --stats of each run's WAL).
 */
const WARMUP_PASSES = Number(process.env.BENCH_WARMUP_PASSES ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('BENCH_ROUNDS: a positive integer');
const SEED = Number(process.env.BENCH_SEED ?? 1);

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

await ensureBenchDatabase(DATABASE_URL);
const engine = await openEngine({ databaseUrl: DATABASE_URL, poolSize: 20 });
await migrate(engine.db);
await sql`TRUNCATE organizations, card_events, webhook_deliveries, webhook_attempts CASCADE`.execute(engine.db);
const db = engine.db;
const serverVersion = Number((await sql<{ v: string }>`SELECT current_setting('server_version_num') AS v`.execute(db)).rows[0]!.v);
const config = { ...loadConfig({}), databaseUrl: DATABASE_URL, webhookAllowLoopback: true, embeddedWorker: false };

const receiver = new Worker(new URL('./receiver.mjs', import.meta.url), { workerData: { healthy: 6, hanging: 1, quiet: 1 } });
const ready = await new Promise<{ ports: number[]; hangingPorts: number[]; quietPorts: number[] }>((resolve) => receiver.once('message', resolve));
const arrivals = new Map<string, number[]>();
let received = 0;
receiver.on('message', (m: { type: string; arrivals?: Array<[string, number]>; count?: number }) => {
  if (m.type !== 'arrivals') return;
  received = m.count!;
  for (const [card, at] of m.arrivals!) {
    const list = arrivals.get(card);
    if (list) list.push(at);
    else arrivals.set(card, [at]);
  }
});

/** The receiver thread's longest event-loop delay (ms) since the last call. */
const receiverLoop = () => new Promise<number>((resolve) => {
  const answer = (m: { type: string; max?: number }) => {
    if (m.type !== 'loop') return;
    receiver.off('message', answer);
    resolve(m.max!);
  };
  receiver.on('message', answer);
  receiver.postMessage({ type: 'loop' });
});

const org: OrgFixture = await createOrgFixture(db, 'Bench webhooks');
const cards: CardRecord[] = [];
for (let i = 0; i < Math.max(BACKLOG_EVENTS, RATE * RATE_SECONDS); i += 500) {
  cards.push(...(await insertTestCards(db, org, Array.from({ length: 500 }, () => ({ holder: org.employee })))));
}

/**
 * Makes the subscriptions exactly one per port, keeping those already there: deleting a subscription deletes its
 * deliveries, thousands of rows at the start of a run. Only the dead subscriber's go, with it, between rounds.
 */
async function subscribe(ports: number[]): Promise<void> {
  const urls = ports.map((port) => `http://127.0.0.1:${port}/hook`);
  const existing = await db.selectFrom('webhook_subscriptions').select(['id', 'callback_url']).execute();
  const gone = existing.filter((s) => !urls.includes(s.callback_url)).map((s) => s.id);
  if (gone.length > 0) await db.deleteFrom('webhook_subscriptions').where('id', 'in', gone).execute();
  const missing = urls.filter((url) => !existing.some((s) => s.callback_url === url));
  const at = new Date();
  if (missing.length > 0) {
    await db.insertInto('webhook_subscriptions').values(missing.map((url) => ({
      id: randomUUID(), organization_id: org.id, membership_id: org.owner.id, callback_url: url,
      types: ['v1/cards'], description: null, secret: generateSecret(), disabled_reason: null, created_at: at, updated_at: at,
    }))).execute();
  }
}

const results: string[] = [];
const log = (line: string) => {
  console.log(line);
  results.push(line);
};

// 1. Ceiling: bare signed POSTs of a real envelope, 16 in flight per receiver (the worker's bound per subscription
// until the tenth session; kept, so that ceilings compare across sessions in BENCHMARKS.md).
{
  const body = JSON.stringify({ id: randomUUID(), subscription_id: randomUUID(), organization_id: org.id, membership_id: org.owner.id,
    type: 'v1/cards', created_at: new Date().toISOString(), data: { event: 'created', card: cards[0] } });
  const secret = generateSecret();
  const agent = new Agent({ connections: 16, pipelining: 1 });
  const ports = ready.ports.slice(0, BACKLOG_SUBSCRIPTIONS);
  let sent = 0;
  // One second of warm-up (connections, JIT) before the measured four.
  const warmUntil = Date.now() + 1000;
  await Promise.all(Array.from({ length: 16 * ports.length }, async (_, lane) => {
    const url = `http://127.0.0.1:${ports[lane % ports.length]}/hook`;
    while (Date.now() < warmUntil) {
      const res = await request(url, { method: 'POST', dispatcher: agent, body, headers: deliveryHeaders(secret, randomUUID(), Math.floor(Date.now() / 1000), body) });
      await res.body.dump();
    }
  }));
  const until = Date.now() + 4000;
  const started = now();
  await Promise.all(Array.from({ length: 16 * ports.length }, async (_, lane) => {
    const url = `http://127.0.0.1:${ports[lane % ports.length]}/hook`;
    while (Date.now() < until) {
      const res = await request(url, { method: 'POST', dispatcher: agent, body, headers: deliveryHeaders(secret, randomUUID(), Math.floor(Date.now() / 1000), body) });
      await res.body.dump();
      sent++;
    }
  }));
  const rate = sent / ((now() - started) / 1000);
  await agent.close();
  (globalThis as { ceiling?: number }).ceiling = rate;
  log(`| ceiling: bare signed POSTs (${ports.length} receivers, 16 in flight each) | ${Math.round(rate)} requests/s |`);
}
const ceiling = (globalThis as { ceiling?: number }).ceiling!;

// 2. Sustained: a backlog of BACKLOG_EVENTS events × 4 subscriptions, drained by one worker.
// The worker has its own pool, as a `qcards worker` process would: sharing the producer's pool (20 then) put
// its claims in line behind 64 in-flight producer transactions.
const workerEngine = await openEngine({ databaseUrl: DATABASE_URL, poolSize: 4 });
const worker = new WebhookWorker({ engine: workerEngine, config, clock: systemClock });
{
  await subscribe(ready.ports.slice(0, BACKLOG_SUBSCRIPTIONS));
  for (let i = 0; i < BACKLOG_EVENTS; i += 100) {
    await inTransaction(db, async (trx) => {
      for (const card of cards.slice(i, Math.min(i + 100, BACKLOG_EVENTS))) {
        await recordCardEvent(trx, { card, event: 'nickname_updated', actorMembershipId: null, at: new Date() });
      }
    });
  }
  const total = BACKLOG_EVENTS * BACKLOG_SUBSCRIPTIONS;
  const base = received;
  const started = now();
  await worker.start();
  const deadline = Date.now() + 180_000;
  while (received - base < total && Date.now() < deadline) await sleep(5);
  const receivedAt = now();
  for (;;) {
    const left = await db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
    if (Number(left.n) === 0 || Date.now() > deadline) break;
    await sleep(20);
  }
  const recordedAt = now();
  const rate = (received - base) / ((receivedAt - started) / 1000);
  const recordedRate = total / ((recordedAt - started) / 1000);
  log(`| sustained: ${total} deliveries (${BACKLOG_EVENTS} events × ${BACKLOG_SUBSCRIPTIONS} subscriptions), one worker | ${Math.round(rate)} deliveries/s received, ${Math.round(recordedRate)}/s with every attempt recorded; ${(rate / ceiling * 100).toFixed(0)}% of the ceiling |`);
}

/**
 * BENCH_TIMELINE=1: p50/p99 (ms) of the events committed in each 250 ms of a run, to tell a spike from a backlog,
 * and `gc` with the longest pause (ms) of the API server process's garbage collections that started in it, where
 * one took 2 ms or more. `samples`: [commit time, latency] of each delivery; `collections`: [start, pause].
 */
function timeline(samples: Array<[number, number]>, collections: Array<[number, number]>): string {
  const t0 = Math.min(...samples.map(([at]) => at));
  const buckets = new Map<number, number[]>();
  for (const [at, latency] of samples) {
    const b = Math.floor((at - t0) / 250);
    (buckets.get(b) ?? buckets.set(b, []).get(b)!).push(latency);
  }
  const pauses = new Map<number, number>();
  for (const [at, pause] of collections) {
    const b = Math.floor((at - t0) / 250);
    if (pause >= 2) pauses.set(b, Math.max(pause, pauses.get(b) ?? 0));
  }
  return [...buckets].sort((a, b) => a[0] - b[0])
    .map(([b, l]) => `${b * 250}:${percentile(l.sort((x, y) => x - y), 50).toFixed(0)}/${percentile(l, 99).toFixed(0)}${pauses.has(b) ? `gc${pauses.get(b)!.toFixed(0)}` : ''}`).join(' ');
}

// 3 and 4. Commit-to-delivery latency at RATE events/s, in the two ways qcards runs: with a separate worker
// process (`qcards worker`: the worker of phase 2, woken by NOTIFY), then with the worker inside the API server
// (`qcards serve`, the default). Each first runs WARMUP_PASSES over the cards at the same rate, not counted, then ROUNDS
// rounds of three runs of RATE_SECONDS: twice without and once with the dead subscriber. The p99 of a single 5 s run
// turns on a handful of hiccups (a vacuum, a GC), so the arms are compared over all their runs.
interface RunResult {
  latencies: number[];
  expected: number;
  achieved: number;
  counts?: WorkerCounts;
  /** Busy core-seconds of the machine and of PostgreSQL, and the run's wall seconds (from the first change sent to the last delivery). */
  cpu?: { machine: number; postgres: number; seconds: number };
  /** WAL bytes PostgreSQL wrote during the run (the whole server's: nothing else writes meanwhile). */
  walBytes: number;
  /** Of which full-page images (pg_stat_wal.wal_fpi): the first change of a page after a checkpoint writes it whole. */
  fullPages: number;
  /** Checkpoints PostgreSQL started during the run. */
  checkpoints: number;
  /** The API server process's own CPU and event-loop delays during the run. */
  load: ProcessLoad;
}

/**
 * PostgreSQL's current WAL position in bytes, and the checkpoints it has started: a run during which one starts
 * writes a full image of each page on its first change after it (full_page_writes), WAL that the commits in
 * flight wait for.
 */
async function walPosition(): Promise<{ bytes: number; checkpoints: number; fullPages: number }> {
  // PostgreSQL 17 moved the checkpoint counts from pg_stat_bgwriter to pg_stat_checkpointer.
  const checkpointCount = serverVersion >= 170000
    ? sql`(SELECT num_timed + num_requested FROM pg_stat_checkpointer)`
    : sql`(SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter)`;
  // Full-page images written to WAL (pg_stat_wal, PostgreSQL 14 and later; backends report it within a second).
  const fullPages = serverVersion >= 140000 ? sql`(SELECT wal_fpi FROM pg_stat_wal)` : sql`0`;
  const result = await sql<{ at: string; checkpoints: string; full_pages: string }>`
    SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS at, ${checkpointCount}::text AS checkpoints,
      ${fullPages}::text AS full_pages`.execute(db);
  const row = result.rows[0]!;
  return { bytes: Number(row.at), checkpoints: Number(row.checkpoints), fullPages: Number(row.full_pages) };
}

interface ApiServer {
  /** `changes` at RATE, not measured. */
  warmUp(changes: number): Promise<void>;
  run(ports: number[]): Promise<RunResult>;
  stop(): Promise<void>;
}

async function startApiServer(embedded: boolean): Promise<ApiServer> {
  let previousCounts: WorkerCounts | undefined;
  const child = fork(fileURLToPath(new URL('./producer-child.ts', import.meta.url)),
    [DATABASE_URL, org.id, String(RATE * RATE_SECONDS), embedded ? '1' : '0'], {
      execArgv: ['--import', 'tsx', ...(process.env.BENCH_TRACE_GC ? ['--trace-gc'] : []), ...(process.env.BENCH_API_FLAGS?.split(' ').filter(Boolean) ?? [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the API server exited (${code}) unasked`))));
  const next = <T>() => Promise.race([new Promise<T>((resolve) => child.once('message', resolve as never)), exited]);
  await next();
  return {
    async warmUp(changes) {
      const done = next<unknown>();
      child.send({ rate: RATE, warm: changes, count: 0 });
      await done;
    },
    async run(ports) {
      // Where autovacuum is off (as on the CI machine), the dead rows of the runs before would slow this one:
      // vacuum what the runs write, as autovacuum would have, between runs rather than during them.
      if (!autovacuum) await sql`VACUUM cards, card_events, webhook_deliveries, webhook_queue, webhook_attempts`.execute(db);
      arrivals.clear();
      const n = RATE * RATE_SECONDS;
      const report = next<{ committed: Array<[string, number]>; achieved: number; counts?: WorkerCounts; load: ProcessLoad; collections: Array<[number, number]> }>();
      await receiverLoop();
      const cpuBefore = cpuSnapshot();
      const walBefore = await walPosition();
      const startedAt = now();
      child.send({ rate: RATE, warm: 0, count: n });
      const { committed: commits, achieved, counts, load, collections } = await report;
      // Counted from the end of the run before (the worker's counts run on between runs).
      const committed = new Map(commits);
      const deadline = Date.now() + 30_000;
      const expected = n * ports.length;
      const count = () => [...committed.keys()].reduce((s, card) => s + (arrivals.get(card)?.length ?? 0), 0);
      while (count() < expected && Date.now() < deadline) await sleep(20);
      const cpuAfter = cpuBefore && cpuSnapshot();
      const receiverDelayMax = await receiverLoop();
      const walAfter = await walPosition();
      const walBytes = walAfter.bytes - walBefore.bytes;
      const fullPages = walAfter.fullPages - walBefore.fullPages;
      const checkpoints = walAfter.checkpoints - walBefore.checkpoints;
      const cpu = cpuBefore && cpuAfter
        ? { machine: cpuAfter.machine - cpuBefore.machine, postgres: cpuAfter.postgres - cpuBefore.postgres, seconds: (now() - startedAt) / 1000 }
        : undefined;
      const samples: Array<[number, number]> = [];
      for (const [card, at] of committed) for (const arrived of arrivals.get(card) ?? []) samples.push([at, arrived - at]);
      if (process.env.BENCH_TIMELINE) console.log(`${timeline(samples, collections)}${counts && previousCounts ? ` | claims ${counts.claims - previousCounts.claims}` : ''} | checkpoints ${checkpoints} | event-loop delay max: API server ${load.loopDelayMax.toFixed(1)} ms, receiver ${receiverDelayMax.toFixed(1)} ms | changes committed in p50 ${load.writeP50.toFixed(1)}, p99 ${load.writeP99.toFixed(1)} ms`);
      previousCounts = counts;
      return { latencies: samples.map(([, latency]) => latency), expected, achieved, counts, cpu, load, walBytes, fullPages, checkpoints };
    },
    async stop() {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await gone;
    },
  };
}

/** An arm's runs as the comparisons take them, in round order: each run's latencies and its p99 (ms). */
interface Side {
  latencies: number[][];
  p99s: number[];
}

/** Logs an arm's line; returns its runs' latencies and p99s. */
function summary(label: string, runs: RunResult[], subscriptions: string): Side {
  const all = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const expected = runs.reduce((s, r) => s + r.expected, 0);
  const offered = Math.round(runs.reduce((s, r) => s + r.achieved, 0) / runs.length);
  const runP99s = runs.map((r) => percentile(r.latencies.sort((a, b) => a - b), 99));
  const each = runP99s.map((p, i) => `${p.toFixed(1)}${runs[i]!.checkpoints > 0 ? '*' : ''}`).join(', ');
  const counts = runs.at(-1)!.counts;
  const p99 = percentile(all, 99);
  const timed = runs.filter((r) => r.cpu);
  const busy = (pick: (c: NonNullable<RunResult['cpu']>) => number) =>
    (timed.reduce((s, r) => s + pick(r.cpu!), 0) / timed.reduce((s, r) => s + r.cpu!.seconds, 0)).toFixed(2);
  const cpu = timed.length > 0 ? `; cores busy ${busy((c) => c.machine)} (PostgreSQL ${busy((c) => c.postgres)}) over ${timed.length} runs` : '';
  const mean = (pick: (l: ProcessLoad) => number) => runs.reduce((s, r) => s + pick(r.load), 0) / runs.length;
  const perEvent = (pick: (r: RunResult) => number) => runs.reduce((sum, r) => sum + pick(r), 0) / (runs.length * RATE * RATE_SECONDS);
  const walPerEvent = `; WAL ${Math.round(perEvent((r) => r.walBytes))} bytes per event (full-page images ${serverVersion >= 140000 ? perEvent((r) => r.fullPages).toFixed(2) : 'not counted before PostgreSQL 14'} per event)`;
  const load = `${walPerEvent}; API server process per run: ${mean((l) => l.cpuSeconds).toFixed(2)} CPU s, event-loop delay p99 ${mean((l) => l.loopDelayP99).toFixed(1)} ms, max ${mean((l) => l.loopDelayMax).toFixed(1)} ms, a change committed in p50 ${mean((l) => l.writeP50).toFixed(1)}, p99 ${mean((l) => l.writeP99).toFixed(1)} ms (means)`;
  log(`| ${label}: ${runs.length} × ${RATE * RATE_SECONDS} events at ${offered} events/s offered, ${subscriptions} | p50 ${percentile(all, 50).toFixed(1)} ms, p90 ${percentile(all, 90).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (each run's, * where a checkpoint started during it: ${each}), max ${all.at(-1)!.toFixed(1)} ms (${all.length}/${expected} delivered${counts ? `; since it started, its worker was handed ${counts.handedOver} deliveries and claimed ${counts.claimed}` : ''}${cpu}${load}) |`);
  return { latencies: runs.map((r) => r.latencies), p99s: runP99s };
}

const healthyPorts = ready.ports.slice(BACKLOG_SUBSCRIPTIONS, BACKLOG_SUBSCRIPTIONS + 2);
const autovacuum = (await sql<{ on: boolean }>`SELECT current_setting('autovacuum') = 'on' AS on`.execute(db)).rows[0]!.on;
const configurations = (process.env.BENCH_CONFIGS ?? 'separate,embedded').split(',');
const third = (process.env.BENCH_THIRD ?? 'dead') as 'dead' | 'answering';
if (!['dead', 'answering'].includes(third)) throw new Error('BENCH_THIRD: dead or answering');
// In this order: the separate worker is phase 2's, stopped before the embedded one starts.
if (!['separate', 'embedded', 'separate,embedded'].includes(configurations.join(','))) throw new Error('BENCH_CONFIGS: separate, embedded or separate,embedded');
if (!Number.isInteger(SEED)) throw new Error('BENCH_SEED: an integer');

/**
 * Logs how far `second`'s runs came out from `first`'s, round by round (each side's arrays in round order): the pooled
 * p99's change with how far resampling the rounds moves it (a 90% interval: what these runs can tell apart, though
 * the few runs with a long stall decide it); the typical change within a round (the geometric mean of the rounds'
 * ratios, each round weighing the same), with its interval; the medians of the runs' p99; and in how many rounds
 * `second`'s was the higher.
 */
function comparison(label: string, first: Side, second: Side): void {
  const pooled = (runs: number[][]) => percentile(runs.flat().sort((a, b) => a - b), 99);
  const [low, high] = bootstrapInterval(first.latencies, second.latencies);
  const rounds = roundRatioChange(first.p99s, second.p99s);
  const above = second.p99s.filter((p, round) => p > first.p99s[round]!).length;
  const interval = ([from, to]: number[]) => `90% interval ${signedPercent(from!)} to ${signedPercent(to!)}`;
  log(`| ${label} | pooled ${change(pooled(second.latencies), pooled(first.latencies))} (${interval([low, high])}); within a round ${signedPercent(rounds.change)} (${interval(rounds.interval)}); median of the runs' p99 ${median(first.p99s).toFixed(1)} → ${median(second.p99s).toFixed(1)} ms, ${change(median(second.p99s), median(first.p99s))}; higher in ${above} of ${first.p99s.length} rounds |`);
}

type Arm = 'without' | 'again' | 'with';
for (const embedded of configurations.map((c) => c === 'embedded')) {
  // The worker of phase 2 is the separate worker process; it does not run beside the embedded one.
  if (embedded) await worker.stop();
  const server = await startApiServer(embedded);
  const how = embedded ? 'worker in the API server' : 'separate worker process';
  const runs: Record<Arm, RunResult[]> = { without: [], again: [], with: [] };
  // Each round runs the three arms in an order of its own, drawn from a seeded generator: no arm keeps a position.
  // With a fixed order, an arm's runs keep their place in whatever cycles the machine has (checkpoints, the vacuum
  // between runs, garbage collections): with nothing to tell two arms apart, ABBA order put the second 24% above
  // the first over 48 rounds (90% interval +8% to +43%; BENCHMARKS.md, fourteenth session), by position or by a
  // chance its interval did not show.
  const random = seededRandom(SEED);
  const orders: string[] = [];
  const thirdPorts = third === 'dead' ? ready.hangingPorts : ready.quietPorts;
  await subscribe(healthyPorts);
  await server.warmUp(WARMUP_PASSES * RATE * RATE_SECONDS);
  for (let round = 0; round < ROUNDS; round++) {
    const order = shuffled<Arm>(['without', 'again', 'with'], random);
    orders.push(order.map((arm) => ({ without: 'A', again: 'a', with: 'B' })[arm]).join(''));
    for (const arm of order) {
      await subscribe(arm === 'with' ? [...healthyPorts, ...thirdPorts] : healthyPorts);
      // Before every run alike: after the dead subscriber's deletion, its requests on their way time out, and so
      // do those started in their place before the worker learnt of it.
      await sleep(2 * config.webhookTimeoutMs + 500);
      runs[arm].push(await server.run(healthyPorts));
    }
  }
  if (process.env.BENCH_TIMELINE) console.log(`orders (A without, a without again, B with; seed ${SEED}): ${orders.join(' ')}`);
  const without = summary(`latency (${how})`, runs.without, `${healthyPorts.length} healthy subscriptions`);
  const again = summary(`latency, the same again (${how})`, runs.again, `${healthyPorts.length} healthy subscriptions`);
  const arm = third === 'dead' ? 'with a dead subscriber' : 'with a third subscriber that answers (BENCH_THIRD)';
  const withIt = summary(`latency ${arm} (${how})`, runs.with, `${healthyPorts.length} healthy subscriptions${third === 'dead' ? ' + 1 that never answers' : ' + 1 that answers, not measured'}`);
  // The third arm against both runs without of its round (their latencies pooled, the geometric mean of their
  // p99): a steadier baseline than one run (in log, three quarters of the variance of a ratio to one run, with
  // independent runs).
  const baseline: Side = {
    latencies: without.latencies.map((latencies, round) => [...latencies, ...again.latencies[round]!]),
    p99s: roundBaseline(without.p99s, again.p99s),
  };
  comparison(`healthy subscribers' p99 ${arm} vs without (${how})`, baseline, withIt);
  comparison(`A/A check: p99 of the runs without, again vs the first (${how})`, without, again);
  await server.stop();
}

await workerEngine.close();
await receiver.terminate();
await engine.close();
console.log(`\nmachine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
process.exit(0);
