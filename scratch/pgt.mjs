import pg from 'pg';
const org = process.argv[2];
const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/qcards_bench', max: 2 });
const SQL = `SELECT '{"cards":[' || coalesce(string_agg(api_json, ',' ORDER BY status, id), '') || ']}' AS body FROM (SELECT status, id, api_json FROM cards WHERE organization_id = $1 ORDER BY status, id LIMIT $2) AS page`;
for (const pp of [100, 25]) {
  const t = [];
  for (let i = 0; i < 300; i++) {
    const s = performance.now();
    const r = await pool.query({ name: 'c', text: SQL, values: [org, pp] });
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  console.log(pp, 'p50', t[150].toFixed(2), 'p99', t[297].toFixed(2));
}
await pool.end();
