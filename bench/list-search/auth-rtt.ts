// `node --import tsx bench/list-search/auth-rtt.ts`: what the authentication round trip costs GET /v2/cards.
// Seeds one organization (5,000 cards) in its own database `qcards_listperf_auth` (dropped and recreated; the
// shared benchmark database is not written to), starts the real server in a child process, and interleaves
// 10-second runs from 32 connections of: GET /healthz (the machine's ceiling), GET /v2/cards?per_page=100&page=1
// with one Authorization header (served by the per-process auth cache, QCARDS_AUTH_CACHE_MS=1000), and the same
// list with a different header on every request (extra spaces after "Bearer", which the server accepts), so
// that every request misses the cache and runs the credential query.
// Env: ROUNDS (default 3), DURATION (default 10), CONNECTIONS (default 32).
import { spawn } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { sql } from 'kysely';
import { Pool } from 'undici';
import { openEngine } from '../../src/db/engine.ts';
import { migrate } from '../../src/db/migrate.ts';
import { insertCards } from '../../src/db/queries/cards.ts';
import { buildCard } from '../../src/domain/card-factory.ts';
import { issueCredential } from '../../src/services/credentials.ts';
import { createBankAccount, createMembership, createOrganization } from '../../src/services/organizations.ts';
import { freshBenchDatabase } from '../database.ts';

const DB_URL = 'postgres://postgres@127.0.0.1:5432/qcards_listperf_auth';
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 32);
const DURATION_S = Number(process.env.DURATION ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const PORT = 3000 + randomInt(1000, 5000);

await freshBenchDatabase(DB_URL);

const engine = await openEngine({ databaseUrl: DB_URL });
await migrate(engine.db);
const org = await createOrganization(engine.db, { name: `Auth ${randomUUID().slice(0, 8)}` });
const owner = await createMembership(engine.db, org.id, { role: 'owner', first_name: 'Bench', last_name: 'Owner' });
const account = await createBankAccount(engine.db, org.id, { name: 'Main', main: true });
const { authorization } = await issueCredential(engine.db, { membershipId: owner.id, kind: 'access_token', scopes: ['card.read'] });
const now = new Date();
const cards = Array.from({ length: 5000 }, () => ({
  card: buildCard({ id: randomUUID(), organization_id: org.id, holder: owner, initiator_id: owner.id, bank_account_id: account.id, card_level: 'virtual' }, { now, randomDigit: () => randomInt(10) }),
  holder: owner,
}));
for (let i = 0; i < cards.length; i += 500) await insertCards(engine.db, cards.slice(i, i + 500));
await sql`VACUUM ANALYZE`.execute(engine.db);
await engine.close();

const child = spawn(process.execPath, ['bin/qcards.js', 'serve'], {
  env: { ...process.env, DATABASE_URL: DB_URL, PORT: String(PORT), HOST: '127.0.0.1', LOG_LEVEL: 'warn', QCARDS_EMBEDDED_WORKER: 'false', QCARDS_AUTH_CACHE_MS: '1000' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
for (let i = 0; ; i++) {
  try { if ((await fetch(`http://127.0.0.1:${PORT}/readyz`)).ok) break; } catch { /* not up yet */ }
  if (i > 200) throw new Error('the server did not start');
  await new Promise((r) => setTimeout(r, 100));
}

const pool = new Pool(`http://127.0.0.1:${PORT}`, { connections: CONNECTIONS, pipelining: 1 });
let distinct = 0;
async function run(seconds: number, path: string, uncached = false): Promise<{ rps: number; p99: number; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (performance.now() < until) {
      const t = performance.now();
      const res = await pool.request({ method: 'GET', path, headers: { authorization: uncached ? authorization.replace(' ', ' '.repeat(1 + (distinct++ % 8000))) : authorization } });
      await res.body.text();
      latencies.push(performance.now() - t);
      if (res.statusCode !== 200) errors++;
    }
  }));
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / ((performance.now() - started) / 1000), p99: latencies[Math.floor(latencies.length * 0.99)]!, errors };
}
try {
  await run(3, '/v2/cards?per_page=100&page=1');
  const f = (r: { rps: number; p99: number; errors: number }) => `${r.rps.toFixed(0)} req/s, p99 ${r.p99.toFixed(1)} ms, non-200 ${r.errors}`;
  for (let round = 1; round <= ROUNDS; round++) {
    // Interleaved so that the machine's changing load hits both alike.
    const health = await run(DURATION_S / 2, '/healthz');
    const uncached = await run(DURATION_S, '/v2/cards?per_page=100&page=1', true);
    const cached = await run(DURATION_S, '/v2/cards?per_page=100&page=1');
    console.log(`round ${round}: healthz ${f(health)} | list, credential query each request ${f(uncached)} | list, auth cached ${f(cached)} | load ${loadavg()[0]!.toFixed(1)}`);
  }
} finally {
  await pool.close();
  child.kill('SIGTERM');
}
