import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { openEngine } from '../../src/db/engine.ts';
import { SCOPES } from '../../src/domain/scopes.ts';
import { issueCredential } from '../../src/services/credentials.ts';
import { buildCases, type BenchCase } from './cases.ts';
import { ensureDataset, type DatasetSpec } from './dataset/build.ts';
import { ensureBenchDatabase } from '../database.ts';
import { DEFAULT_BENCH_URL, verifyRendering } from './databases.ts';
import { hasWrk, measureLatency, type LatencyOptions, type LatencyResult } from './latency.ts';
import type { LoadJob, LoadResult } from './load-child.ts';
import { peakRssMb, startChild } from './processes.ts';
import { ceilingLatencyTable, latencyTable, renderMarkdown, renderText, rssTable, throughputTable, type Table, type ThroughputRow } from './report.ts';

// npm run bench:list [-- --no-pglite] [-- --no-postgres] [-- --small]
// GET /v2/cards at a million cards: the spec is issue 2, "Speed: a benchmark, not a timed test". Builds or
// reuses the datasets, runs the real app in a child process, measures single-client latency of every
// request shape, throughput at 32 connections against two ceilings measured in the same run, and the
// server's peak RSS; then prints the results as a table and as markdown.

const argv = new Set(process.argv.slice(2));
const log = (s: string) => console.log(s);

// --small: a smoke run of the benchmark itself (20,000 cards, short runs); its numbers mean nothing.
const small = argv.has('--small');
const PG_SPEC: DatasetSpec = small
  ? { organizations: 20, cards: 20_000, largest: 5_000, workers: 2, batch: 2000 }
  : { organizations: 1000, cards: 1_000_000, largest: 100_000, workers: 2, batch: 2000 };
const PGLITE_SPEC: DatasetSpec = { organizations: 1, cards: small ? 5_000 : 100_000, largest: small ? 5_000 : 100_000, workers: 1, batch: 2000 };
const PGLITE_DIR = join(process.cwd(), '.bench-data', small ? 'pglite-small' : 'pglite-100k');
/** Who sends the timed requests of the latency cases (bench/list/latency.ts). */
const TIMED_BY = hasWrk ? 'timed by wrk' : 'timed by undici in this process (wrk is not installed)';
const PG_LATENCY: LatencyOptions = { warmup: 20, requests: small ? 30 : 200, maxMs: 15_000 };
const PGLITE_LATENCY: LatencyOptions = { warmup: 10, requests: small ? 20 : 100, maxMs: 10_000 };
const CONNECTIONS = 32;
const LOAD_WARMUP_MS = small ? 500 : 1_000;
const LOAD_MS = small ? 2_000 : 4_000;
const LOAD_ROUNDS = 3;
const P99_PG_MS = 15;
const P99_PGLITE_MS = 50;
const RSS_LIMIT_MB = 250;

const tables: Table[] = [];
const notes: string[] = [];

async function prepare(engineOptions: { databaseUrl?: string; dataDir?: string }, spec: DatasetSpec) {
  const engine = await openEngine(engineOptions);
  try {
    const info = await ensureDataset(engine.db, spec, log);
    await verifyRendering(engine.db, info.largestOrgId, 50);
    log('dataset: 50 sampled cards render exactly as src/domain/card.ts renders them');
    const credential = await issueCredential(engine.db, { membershipId: info.ownerMembershipId, kind: 'access_token', scopes: SCOPES, label: 'bench:list' });
    const cases = await buildCases(engine.db, info.largestOrgId);
    return { info, auth: credential.authorization, cases };
  } finally {
    await engine.close();
  }
}

async function startServer(env: NodeJS.ProcessEnv) {
  // The node flags of `npm start` (package.json), so the peak RSS is the server's as users run it.
  const server = startChild<{ port: number }>('./server-child.ts', [], { ...process.env, ...env }, ['--max-semi-space-size=4']);
  const { port } = await server.ready;
  return { server, origin: `http://127.0.0.1:${port}` };
}

/** Whether GET /v2/cards exists yet on this branch (it is built in parallel on another one). */
async function endpointAvailable(origin: string, auth: string): Promise<boolean> {
  const response = await fetch(`${origin}/v2/cards?per_page=1`, { headers: { authorization: auth } });
  await response.arrayBuffer();
  return response.status !== 404;
}

async function latencies(origin: string, auth: string, cases: BenchCase[], options: LatencyOptions): Promise<LatencyResult[]> {
  const results: LatencyResult[] = [];
  for (const c of cases) {
    const r = await measureLatency(origin, auth, c, options);
    log(`  ${c.name.padEnd(44)} p50 ${r.p50.toFixed(1).padStart(7)} ms  p99 ${r.p99.toFixed(1).padStart(7)} ms${r.failure ? `  WRONG: ${r.failure}` : ''}`);
    results.push(r);
  }
  return results;
}

async function load(origin: string, path: string, headers: Record<string, string>): Promise<LoadResult> {
  const child = startChild<LoadResult>('./load-child.ts');
  const job: LoadJob = { origin, path, headers, connections: CONNECTIONS, warmupMs: LOAD_WARMUP_MS, durationMs: LOAD_MS };
  child.process.send(job);
  return child.ready;
}

/** Rounds of one target as one result: total requests over total time; p50/p99 as the median round's. */
function mergeLoad(results: LoadResult[]): LoadResult {
  const sum = (f: (r: LoadResult) => number) => results.reduce((s, r) => s + f(r), 0);
  const median = (f: (r: LoadResult) => number) => results.map(f).sort((a, b) => a - b)[Math.floor(results.length / 2)]!;
  const requests = sum((r) => r.requests);
  const seconds = sum((r) => r.seconds);
  return { requests, non2xx: sum((r) => r.non2xx), errors: sum((r) => r.errors), bytes: sum((r) => r.bytes), seconds, reqPerSec: requests / seconds, p50: median((r) => r.p50), p99: median((r) => r.p99) };
}

async function benchPostgres(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_BENCH_URL;
  log(`\n== PostgreSQL: ${databaseUrl.replace(/\/\/[^@]*@/, '//')}`);
  await ensureBenchDatabase(databaseUrl);
  const { info, auth, cases } = await prepare({ databaseUrl }, PG_SPEC);
  const { server, origin } = await startServer({ DATABASE_URL: databaseUrl });
  const rss: Array<{ name: string; mb: number; limit: number | undefined }> = [];
  try {
    const available = await endpointAvailable(origin, auth);
    if (!available) notes.push('GET /v2/cards answered 404: the endpoint is not on this branch yet; only the ceilings were measured.');
    if (available) {
      log(`single-client latency (PostgreSQL, ${TIMED_BY}):`);
      const results = await latencies(origin, auth, cases, PG_LATENCY);
      tables.push(latencyTable(`PostgreSQL, ${PG_SPEC.cards.toLocaleString('en')} cards, largest organization (${PG_SPEC.largest.toLocaleString('en')}): single client, ${PG_LATENCY.requests} requests after ${PG_LATENCY.warmup} warm-up, ${TIMED_BY}`, results, P99_PG_MS));
    }
    const ceiling = startChild<{ sqlPort: number; memoryPort: number }>('./ceiling-child.ts', [databaseUrl, info.largestOrgId]);
    const ports = await ceiling.ready;
    // How fast this machine serves page 1 at all: the single-client latency of ceiling (a), beside qcards'.
    const firstPages = [];
    for (const perPage of [100, 25]) {
      const c: BenchCase = { name: `page 1, per_page ${perPage}`, group: 'page', path: `/v2/cards?per_page=${perPage}`, page: 1, perPage, expectedTotal: cases[0]!.expectedTotal, share: 1 };
      const qcards = available ? await measureLatency(origin, auth, c, PG_LATENCY) : undefined;
      const sql = await measureLatency(`http://127.0.0.1:${ports.sqlPort}`, '', c, PG_LATENCY, false);
      log(`  single client, per_page ${perPage}: qcards p50 ${qcards?.p50.toFixed(1) ?? '-'} / p99 ${qcards?.p99.toFixed(1) ?? '-'} ms; ceiling (a) p50 ${sql.p50.toFixed(1)} / p99 ${sql.p99.toFixed(1)} ms`);
      firstPages.push({ perPage, qcards, sql });
    }
    tables.push(ceilingLatencyTable(firstPages, P99_PG_MS));
    const rows: ThroughputRow[] = [];
    try {
      for (const perPage of [100, 25]) {
        const path = `/v2/cards?per_page=${perPage}`;
        log(`throughput, per_page ${perPage} (${LOAD_ROUNDS} interleaved rounds of ${LOAD_MS / 1000} s each):`);
        // Interleaved rounds: the machine is shared, so a burst of someone else's work lands on all three
        // servers alike instead of on whichever ran at that moment.
        const runs: { qcards: LoadResult[]; sql: LoadResult[]; memory: LoadResult[] } = { qcards: [], sql: [], memory: [] };
        for (let round = 0; round < LOAD_ROUNDS; round++) {
          if (available) runs.qcards.push(await load(origin, path, { authorization: auth }));
          runs.sql.push(await load(`http://127.0.0.1:${ports.sqlPort}`, path, {}));
          runs.memory.push(await load(`http://127.0.0.1:${ports.memoryPort}`, path, {}));
        }
        const row: ThroughputRow = { perPage, qcards: available ? mergeLoad(runs.qcards) : undefined, sql: mergeLoad(runs.sql), memory: mergeLoad(runs.memory) };
        log(`  qcards ${row.qcards?.reqPerSec.toFixed(0) ?? '-'} req/s, ceiling (a) ${row.sql.reqPerSec.toFixed(0)} req/s, ceiling (b) ${row.memory.reqPerSec.toFixed(0)} req/s`);
        rows.push(row);
      }
    } finally {
      await ceiling.stop();
    }
    tables.push(throughputTable(rows, CONNECTIONS, `${LOAD_ROUNDS} × ${LOAD_MS / 1000}`));
    rss.push({ name: 'qcards on PostgreSQL (after every run above)', mb: peakRssMb(server.process.pid!), limit: RSS_LIMIT_MB });
  } finally {
    await server.stop();
  }
  tables.push(rssTable(rss));
}

async function benchPGlite(): Promise<void> {
  log(`\n== PGlite: ${PGLITE_DIR}`);
  mkdirSync(PGLITE_DIR, { recursive: true });
  const { auth, cases } = await prepare({ dataDir: PGLITE_DIR }, PGLITE_SPEC);
  // One process at a time may open a PGlite folder: the parent has closed it; the server opens it now.
  const { server, origin } = await startServer({ DATABASE_URL: '', QCARDS_DATA_DIR: PGLITE_DIR });
  try {
    if (!(await endpointAvailable(origin, auth))) {
      notes.push('PGlite: GET /v2/cards answered 404, not measured.');
      return;
    }
    log(`single-client latency (PGlite, ${TIMED_BY}):`);
    const results = await latencies(origin, auth, cases, PGLITE_LATENCY);
    tables.push(latencyTable(`PGlite, ${PGLITE_SPEC.cards.toLocaleString('en')} cards, one organization: single client, ${PGLITE_LATENCY.requests} requests after ${PGLITE_LATENCY.warmup} warm-up, ${TIMED_BY}`, results, P99_PGLITE_MS));
    tables.push(rssTable([{ name: 'qcards on PGlite (Postgres in WASM, same process)', mb: peakRssMb(server.process.pid!), limit: undefined }]));
  } finally {
    await server.stop();
  }
}

const started = Date.now();
const loadBefore = loadavg()[0]!.toFixed(1);
if (!argv.has('--no-postgres')) await benchPostgres();
if (!argv.has('--no-pglite')) await benchPGlite();

const header = `GET /v2/cards benchmark, ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, ${((Date.now() - started) / 1000).toFixed(0)} s, load average ${loadBefore} at start and ${loadavg()[0]!.toFixed(1)} at end (other work on the machine inflates every latency)`;
console.log(`\n${header}\n`);
for (const t of tables) console.log(`${renderText(t)}\n`);
for (const n of notes) console.log(`NOTE: ${n}`);
const markdown = [`_${header}_`, '', ...tables.map((t) => `${renderMarkdown(t)}\n`), ...notes.map((n) => `> ${n}`)].join('\n');
console.log('\n---- markdown ----\n');
console.log(markdown);
mkdirSync('.bench-data', { recursive: true });
writeFileSync(join('.bench-data', 'bench-list-last.md'), `${markdown}\n`);
