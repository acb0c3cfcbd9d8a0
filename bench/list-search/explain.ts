// `node --import tsx bench/list-search/explain.ts [terms...]`: EXPLAIN ANALYZE of GET /v2/cards' statement
// (the real cardPageQuery) for search terms on the largest organization of a PostgreSQL database, repeated,
// printing the median execution time per term and the plan of the last run. The machine is shared, so
// medians of several runs are reported, not single timings.
// Env: DATABASE_URL (default the benchmark database), RUNS (default 7), SORT (default status:asc), VERBOSE=1.
import { sql } from 'kysely';
import { openEngine } from '../../src/db/engine.ts';
import { cardPageQuery } from '../../src/db/queries/card-list.ts';
import type { SortKey, SortOrder } from '../../src/domain/card-list.ts';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/qcards_bench';
const runs = Number(process.env.RUNS ?? 7);
const [sortKey, sortOrder] = (process.env.SORT ?? 'status:asc').split(':') as [SortKey, SortOrder];
const terms = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['e', 'zq', '42', 'ma', 'mar', 'martin', 'zzq'];

const engine = await openEngine({ databaseUrl: url, poolSize: 1 });
const { rows: [largest] } = await sql<{ organization_id: string; n: number }>`
  SELECT organization_id, count(*)::int AS n FROM cards GROUP BY 1 ORDER BY 2 DESC LIMIT 1`.execute(engine.db);
console.log(`organization ${largest!.organization_id} (${largest!.n} cards), sort ${sortKey}:${sortOrder}, ${runs} runs`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const term of terms) {
  const query = cardPageQuery({
    organizationId: largest!.organization_id, visibility: { kind: 'organization' }, filters: { query: term },
    sort: { key: sortKey, order: sortOrder }, limit: 100, offset: 0,
  }).compile(engine.db);
  const times: number[] = [];
  let plan = '';
  for (let i = 0; i < runs; i++) {
    const { rows } = await engine.db.executeQuery<{ 'QUERY PLAN': string }>(
      { ...query, sql: `EXPLAIN (ANALYZE, BUFFERS) ${query.sql}` } as typeof query,
    );
    plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    times.push(Number(/Execution Time: ([\d.]+) ms/.exec(plan)![1]));
  }
  console.log(`${JSON.stringify(term).padEnd(10)} median ${median(times).toFixed(1)} ms  (runs: ${times.map((t) => t.toFixed(1)).join(', ')})`);
  if (process.env.VERBOSE) console.log(plan);
}
await engine.close();
