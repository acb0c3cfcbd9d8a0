// `npm run bench:writes`: card writes on PostgreSQL through the real app in a child process.
// Lock, unlock and limit updates (the card rewrite with its pre-rendered JSON and one card_events row, in
// statements shared by concurrent requests) from 16 connections. Each card's writes go lock, unlock, limits, …
// one after the other, so none is a refused transition: from this process each connection walks its own cards;
// wrk takes the 800 cards in turn, so a card comes back after every other one was sent (a write slower than
// that round, ~0.4 s, would show as a 422 in the report).
// SUBSCRIBED=1 gives the organization a webhook subscription, so each write also queues a delivery.
// Prints writes/s and latency percentiles, next to a ceiling measured in the same run (GET /healthz on the
// same server and connections); the lines are ready to paste into BENCHMARKS.md. The timed load is sent by wrk
// (./writes.lua) when it is installed (`apt-get install wrk`), otherwise by undici from this process, and the
// report says which.
import { spawn } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { Pool } from 'undici';
import { openEngine } from '../../src/db/engine.ts';
import { insertCards } from '../../src/db/queries/cards.ts';
import { migrate } from '../../src/db/migrate.ts';
import { buildCard } from '../../src/domain/card-factory.ts';
import { issueCredential } from '../../src/services/credentials.ts';
import { createBankAccount, createMembership, createOrganization } from '../../src/services/organizations.ts';
import { generateSecret } from '../../src/services/webhook-subscriptions.ts';
import { freshBenchDatabase } from '../database.ts';
import { hasWrk } from '../list/latency.ts';

// QCARDS_BENCH_ADMIN_URL: the server (and credentials) the benchmark database is made on; its own database name is
// not used (the database is made through the server's `postgres` database: bench/database.ts).
const ADMIN_URL = process.env.QCARDS_BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'qcards_bench_writes';
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 16);
const DURATION_S = Number(process.env.DURATION ?? 15);
const WARMUP_S = 3;
/** Cards each connection cycles over (CARDS_PER_CONNECTION, 50 by default: 800 at 16 connections; each process remembers 2,000). */
const CARDS_PER_CONNECTION = Number(process.env.CARDS_PER_CONNECTION ?? 50);
if (!Number.isInteger(CARDS_PER_CONNECTION) || CARDS_PER_CONNECTION < 1) throw new Error('CARDS_PER_CONNECTION must be a positive integer');
const PORT = 3000 + randomInt(1000, 5000);
/** SUBSCRIBED=1: the organization has an active v1/cards webhook subscription, so each write queues a delivery. */
const SUBSCRIBED = process.env.SUBSCRIBED === '1';

/**
 * A new database every run (dropped if there): the table of 800 cards gathers tens of thousands of dead row
 * versions in a run, and where autovacuum is off (as on this project's CI machine) the next run on the same database
 * wrote among them (p99 25.0 ms right after runs of 14.9–17.1 on new ones, BENCHMARKS.md, eighth session).
 */
async function freshDatabase(): Promise<string> {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB_NAME}`;
  await freshBenchDatabase(url.toString());
  return url.toString();
}

async function seed(databaseUrl: string) {
  const engine = await openEngine({ databaseUrl });
  await migrate(engine.db);
  const org = await createOrganization(engine.db, { name: `Bench ${randomUUID().slice(0, 8)}` });
  const owner = await createMembership(engine.db, org.id, { role: 'owner', first_name: 'Bench', last_name: 'Owner' });
  const account = await createBankAccount(engine.db, org.id, { name: 'Main', main: true });
  const credential = await issueCredential(engine.db, { membershipId: owner.id, kind: 'access_token', scopes: ['card.read', 'card.write'] });
  const now = new Date();
  const cards = Array.from({ length: CONNECTIONS * CARDS_PER_CONNECTION }, () => ({
    card: buildCard(
      { id: randomUUID(), organization_id: org.id, holder: owner, initiator_id: owner.id, bank_account_id: account.id, card_level: 'virtual' },
      { now, randomDigit: () => randomInt(10) },
    ),
    holder: owner,
  }));
  for (let i = 0; i < cards.length; i += 500) await insertCards(engine.db, cards.slice(i, i + 500));
  if (SUBSCRIBED) {
    // Every write then queues a webhook delivery too (no worker runs, so they only accumulate).
    await engine.db.insertInto('webhook_subscriptions').values({
      id: randomUUID(), organization_id: org.id, membership_id: owner.id, callback_url: 'http://127.0.0.1:9/hook',
      types: ['v1/cards'], description: null, secret: generateSecret(), disabled_reason: null, created_at: now, updated_at: now,
    }).execute();
  }
  return { engine, orgId: org.id, auth: credential.authorization, cardIds: cards.map((c) => c.card.id) };
}

async function startServer(databaseUrl: string) {
  // BENCH_SERVER_NODE_ARGS passes node flags to the server under test, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, 'bin/qcards.js', 'serve'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(PORT), HOST: '127.0.0.1', LOG_LEVEL: 'warn', QCARDS_EMBEDDED_WORKER: 'false' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${PORT}/readyz`);
      if (res.ok) return child;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('the server did not start');
}

interface Result { count: number; errors: number; latencies: number[]; seconds: number; failures: Map<string, number> }

async function load(pool: Pool, seconds: number, next: (worker: number) => { method: 'GET' | 'PUT' | 'PATCH'; path: string; body?: string }, auth: string): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  const failures = new Map<string, number>();
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async (_, worker) => {
    while (performance.now() < until) {
      const op = next(worker);
      const t = performance.now();
      const res = await pool.request({
        method: op.method, path: op.path, body: op.body,
        headers: { authorization: auth, ...(op.body ? { 'content-type': 'application/json' } : {}) },
      });
      const text = await res.body.text();
      latencies.push(performance.now() - t);
      if (res.statusCode !== 200) {
        errors++;
        const key = `${res.statusCode} ${/"code":"([^"]+)"/.exec(text)?.[1] ?? ''}`;
        failures.set(key, (failures.get(key) ?? 0) + 1);
      }
    }
  }));
  return { count: latencies.length, errors, latencies, failures, seconds: (performance.now() - started) / 1000 };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux; 0 elsewhere). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds used so far by every PostgreSQL backend process, the checkpointer and WAL writer included (their
 * pids from pg_stat_activity; PostgreSQL must run on this machine). Backends that exit in between are missed.
 */
async function postgresCpuSeconds(engine: { db: import('../../src/db/engine.ts').Db }): Promise<number> {
  const { rows } = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity`.execute(engine.db);
  return rows.reduce((sum, r) => sum + cpuSeconds(r.pid), 0);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

interface Measured {
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  count: number;
  errors: number;
  failures: string;
  /** CPU seconds the load generator used for this load. */
  loadCpu: number;
}

function summary(r: Result, loadCpu: NodeJS.CpuUsage): Measured {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  return {
    failures: [...r.failures].map(([k, n]) => `${k} ×${n}`).join(', ') || 'none', perSecond: r.count / r.seconds,
    p50: pct(sorted, 50), p90: pct(sorted, 90), p99: pct(sorted, 99), max: sorted.at(-1)!, errors: r.errors, count: r.count,
    loadCpu: (loadCpu.user + loadCpu.system) / 1e6,
  };
}

async function measureInProcess(pool: Pool, seconds: number, next: Parameters<typeof load>[2], auth: string): Promise<Measured> {
  const before = process.cpuUsage();
  const result = await load(pool, seconds, next, auth);
  return summary(result, process.cpuUsage(before));
}

/**
 * The same load sent by wrk (Debian's `wrk`, ./writes.lua) from one thread over CONNECTIONS connections: the
 * cards of `counts` (each card's writes so far, so its walk goes on), or GET `path` when there are none. A client
 * in Node on the same two cores adds its own CPU (0.09-0.15 ms a write here) and its own event-loop delays to
 * the times it takes; wrk times each request in C (bench/list/latency.ts saw the same for reads).
 */
async function measureWithWrk(seconds: number, path: string, auth: string, counts: Map<string, number> | null): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'qcards-bench-writes-'));
  try {
    const file = join(dir, 'cards.txt');
    if (counts) writeFileSync(file, [...counts].map(([id, n]) => `${id} ${n}`).join('\n') + '\n');
    const script = fileURLToPath(new URL('./writes.lua', import.meta.url));
    const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, '-H', `authorization: ${auth}`,
      `http://127.0.0.1:${PORT}${path}`, '--', counts ? file : '-'];
    // The shell's `times` after wrk prints the CPU its children (wrk) used.
    const child = spawn('sh', ['-c', 'wrk "$@"; status=$?; times; exit $status', 'sh', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const line = out.split('\n').find((l) => l.startsWith('{"n"'));
    if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${out}`);
    const r = JSON.parse(line) as { n: number; seconds: number; p50: number; p90: number; p99: number; max: number; non200: number; errors: number; wrong: string | null };
    const children = out.trim().split('\n').at(-1)!;
    const loadCpu = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
    const failures = [r.wrong ? `first: ${r.wrong}` : '', r.errors > 0 ? `${r.errors} socket errors or timeouts` : ''].filter(Boolean).join('; ') || 'none';
    return { perSecond: r.n / r.seconds, p50: r.p50 / 1000, p90: r.p90 / 1000, p99: r.p99 / 1000, max: r.max / 1000, count: r.n, errors: r.non200 + r.errors, failures, loadCpu };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const databaseUrl = await freshDatabase();
const { engine, orgId, auth, cardIds } = await seed(databaseUrl);
const server = await startServer(databaseUrl);
const pool = new Pool(`http://127.0.0.1:${PORT}`, { connections: CONNECTIONS, pipelining: 1 });
try {
  const ceiling = hasWrk
    ? await measureWithWrk(5, '/healthz', auth, null)
    : await measureInProcess(pool, 5, () => ({ method: 'GET', path: '/healthz' }), auth);
  // Each connection walks its own cards: lock, unlock, limits, lock, unlock, limits … so every write is legal.
  const steps = new Array<number>(CONNECTIONS).fill(0);
  const writesSoFar = new Map(cardIds.map((id) => [id, 0]));
  const writeOp = (worker: number) => {
    const i = steps[worker]!++;
    const card = cardIds[worker * CARDS_PER_CONNECTION + (Math.floor(i / 3) % CARDS_PER_CONNECTION)]!;
    writesSoFar.set(card, writesSoFar.get(card)! + 1);
    const step = i % 3;
    if (step === 0) return { method: 'PUT' as const, path: `/v2/cards/${card}/lock` };
    if (step === 1) return { method: 'PUT' as const, path: `/v2/cards/${card}/unlock` };
    return { method: 'PATCH' as const, path: `/v2/cards/${card}/limits`, body: JSON.stringify({ card: { payment_monthly_limit: 900 + (i % 100) } }) };
  };
  // The walk continues from the warm-up (from this process, which waits for every answer): each connection's
  // step counter survives it, and wrk starts each card at its next step.
  await load(pool, WARMUP_S, writeOp, auth);
  const eventsBefore = await engine.db.selectFrom('card_events').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', orgId).executeTakeFirstOrThrow();
  const cpuBefore = cpuSeconds(server.pid);
  const postgresBefore = await postgresCpuSeconds(engine);
  const writes = hasWrk
    ? await measureWithWrk(DURATION_S, '/', auth, writesSoFar)
    : await measureInProcess(pool, DURATION_S, writeOp, auth);
  const perWrite = (seconds: number) => ((seconds * 1000) / writes.count).toFixed(2);
  const serverCpuMsPerWrite = ((cpuSeconds(server.pid) - cpuBefore) * 1000) / writes.count;
  const postgresCpu = (await postgresCpuSeconds(engine)) - postgresBefore;
  // wrk stops with requests in flight: the server still answers them, unseen. Wait for them before counting.
  if (hasWrk) await new Promise((resolve) => setTimeout(resolve, 1000));
  const eventsAfter = await engine.db.selectFrom('card_events').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', orgId).executeTakeFirstOrThrow();
  const events = Number(eventsAfter.n) - Number(eventsBefore.n);
  const accepted = writes.count - writes.errors;
  const unseen = events - accepted;
  const onePerWrite = hasWrk ? unseen >= 0 && unseen <= CONNECTIONS : unseen === 0;

  const f = (n: number) => n.toFixed(1);
  const lines = [
    `machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, PostgreSQL on the same machine`,
    `connections: ${CONNECTIONS}, duration: ${DURATION_S} s after ${WARMUP_S} s warm-up, ${cardIds.length} cards${SUBSCRIBED ? ', one webhook subscription (a delivery queued per write)' : ''}`,
    `load: ${hasWrk ? 'timed by wrk (one thread)' : 'timed by undici in this process (wrk is not installed)'}; warm-up from this process`,
    `ceiling (GET /healthz, same server): ${f(ceiling.perSecond)} req/s, p99 ${f(ceiling.p99)} ms`,
    `writes (lock / unlock / PATCH limits, 1:1:1): ${f(writes.perSecond)} writes/s, p50 ${f(writes.p50)} ms, p90 ${f(writes.p90)} ms, p99 ${f(writes.p99)} ms, max ${f(writes.max)} ms`,
    `ratio to ceiling: ${(writes.perSecond / ceiling.perSecond).toFixed(2)}`,
    `CPU per write: server ${serverCpuMsPerWrite.toFixed(2)} ms, PostgreSQL ${perWrite(postgresCpu)} ms (every backend), load generator ${perWrite(writes.loadCpu)} ms`,
    `machine load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    `non-200 answers: ${writes.errors} of ${writes.count} (${writes.failures}); card_events rows written: ${events} (one per write: ${onePerWrite ? 'yes' : 'NO'}${hasWrk ? `; ${unseen} for requests in flight when wrk stopped` : ''})`,
    `targets: ≥ 1,000 writes/s → ${writes.perSecond >= 1000 ? 'met' : 'NOT met'}; p99 ≤ 20 ms → ${writes.p99 <= 20 ? 'met' : 'NOT met'}`,
  ];
  console.log(lines.join('\n'));
} finally {
  await pool.close();
  server.kill('SIGTERM');
  await engine.close();
}
