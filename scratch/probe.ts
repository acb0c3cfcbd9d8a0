import { Pool } from 'undici';
import { openEngine } from '../src/db/engine.ts';
import { SCOPES } from '../src/domain/scopes.ts';
import { issueCredential } from '../src/services/credentials.ts';
const url = 'postgres://postgres@127.0.0.1:5432/qcards_bench';
const engine = await openEngine({ databaseUrl: url });
const owner = await engine.db.selectFrom('memberships').select('id').where('organization_id', '=', 'e695aa7d-d7fc-437c-b911-67656f64e3e4').where('role', '=', 'owner').executeTakeFirstOrThrow();
const cred = await issueCredential(engine.db, { membershipId: owner.id, kind: 'access_token', scopes: SCOPES, label: 'probe' });
await engine.close();
import { fork } from 'node:child_process';
const nodeArgs = (process.env.NODE_ARGS ?? '').split(' ').filter(Boolean);
const semi = (process.env.SEMI ?? '--max-semi-space-size=4').split(' ').filter(Boolean);
const child = fork('bench/list/server-child.ts', [], { env: { ...process.env, DATABASE_URL: url }, execArgv: ['--import', 'tsx', ...semi, ...nodeArgs], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const port = await new Promise<number>((resolve) => child.once('message', (m: any) => resolve(m.port)));
const base = `http://127.0.0.1:${port}`;
const pool = new Pool(base, { connections: 1 });
const paths = (process.env.PATHS ?? '/v2/cards?per_page=100').split(',');
for (const path of paths) {
  const t: number[] = [];
  for (let i = 0; i < 1020; i++) {
    const s = performance.now();
    const res = await pool.request({ method: 'GET', path, headers: { authorization: cred.authorization } });
    await res.body.arrayBuffer();
    if (i >= 20) t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  const p = (q: number) => t[Math.floor(q * t.length)]!.toFixed(1);
  console.log(path, 'p50', p(0.5), 'p90', p(0.9), 'p99', p(0.99), 'max', t.at(-1)!.toFixed(1));
}
await pool.close();
child.kill(); process.exit(0);
