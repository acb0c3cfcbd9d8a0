import { sql } from 'kysely';
import { openEngine } from '../src/db/engine.ts';
const url = 'postgres://postgres@127.0.0.1:5432/qcards_bench';
const engine = await openEngine({ databaseUrl: url });
const org = process.argv[2]!;
const mode = process.argv[3];
const SQL = `SELECT api_json FROM cards WHERE organization_id = $1 ORDER BY status, id LIMIT 100`;
const held = await engine.pgPool!.connect();
import pg from 'pg';
const plain = new pg.Pool({ connectionString: url, max: 20 });
for (let i = 0; i < 2000; i++) {
  if (mode === 'heldcb') { await new Promise((res, rej) => held.query(SQL, [org], (e: any, r: any) => e ? rej(e) : res(r))); continue; }
  if (mode === 'heldcbcatch') { await new Promise((res, rej) => held.query(SQL, [org], (e: any, r: any) => e ? rej(e) : res(r))).catch((e) => { throw e; }); continue; }
  if (mode === 'held') { await held.query(SQL, [org]); continue; }
  if (mode === 'plainconnect') { const c = await plain.connect(); try { await c.query(SQL, [org]); } finally { c.release(); } continue; }
  if (mode === 'plainquery') { await plain.query(SQL, [org]); continue; }
  if (mode === 'pool') await engine.pgPool!.query(SQL, [org]);
  else if (mode === 'poolnamed') await engine.pgPool!.query({ name: 'x', text: SQL, values: [org] });
  else if (mode === 'connect') { const c = await engine.pgPool!.connect(); try { await c.query(SQL, [org]); } finally { c.release(); } }
  else if (mode === 'kyconn') await engine.db.connection().execute(async (conn) => { await sql`SELECT 1`.execute(conn); });
  else await sql`SELECT api_json FROM cards WHERE organization_id = ${org} ORDER BY status, id LIMIT 100`.execute(engine.db);
}
held.release(); await plain.end(); await engine.close();
