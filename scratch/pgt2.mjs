import pg from 'pg';
const org = process.argv[2];
const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/qcards_bench', max: 2 });
const AGG = `SELECT '{"cards":[' || coalesce(string_agg(api_json, ',' ORDER BY status, id), '') || ']}' AS body FROM (SELECT status, id, api_json FROM cards WHERE organization_id = $1 ORDER BY status, id LIMIT $2) AS page`;
const ROWS = `SELECT api_json FROM cards WHERE organization_id = $1 ORDER BY status, id LIMIT $2`;
async function run(name, sqlText, make) {
  for (const pp of [100, 25]) {
    const t = [];
    for (let i = 0; i < 400; i++) {
      const s = performance.now();
      const r = await pool.query({ name, text: sqlText, values: [org, pp] });
      const buf = make(r.rows);
      t.push(performance.now() - s);
    }
    t.sort((a, b) => a - b);
    console.log(name, pp, 'p50', t[200].toFixed(2), 'p99', t[396].toFixed(2));
  }
}
const comma = Buffer.from(',');
await run('agg', AGG, (rows) => Buffer.from(rows[0].body));
await run('rows-concat', ROWS, (rows) => { const parts = [Buffer.from('{"cards":[')]; rows.forEach((r, i) => { if (i) parts.push(comma); parts.push(Buffer.from(r.api_json)); }); parts.push(Buffer.from(']}')); return Buffer.concat(parts); });
await run('rows-join', ROWS, (rows) => Buffer.from('{"cards":[' + rows.map(r => r.api_json).join(',') + ']}'));
await run('agg', AGG, (rows) => Buffer.from(rows[0].body));
await run('rows-concat', ROWS, (rows) => { const parts = [Buffer.from('{"cards":[')]; rows.forEach((r, i) => { if (i) parts.push(comma); parts.push(Buffer.from(r.api_json)); }); parts.push(Buffer.from(']}')); return Buffer.concat(parts); });
await pool.end();
