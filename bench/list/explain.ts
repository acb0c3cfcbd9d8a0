import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { selectCardPage } from '../../src/db/queries/card-list.ts';
import type { Database } from '../../src/db/schema.ts';
import { parseCardListQuery } from '../../src/domain/card-list.ts';
import { openEngine } from '../../src/db/engine.ts';
import { buildCases } from './cases.ts';
import { DEFAULT_BENCH_URL } from './databases.ts';

// node --import tsx bench/list/explain.ts [case-substring] [--plan]
// EXPLAIN (ANALYZE, BUFFERS) of the exact statement GET /v2/cards runs for each benchmark case, as the
// owner of the largest organization of the benchmark dataset: where the milliseconds of a slow case go.

const databaseUrl = process.env.DATABASE_URL || DEFAULT_BENCH_URL;
const filter = process.argv.slice(2).find((a) => !a.startsWith('--'));
const showPlan = process.argv.includes('--plan');

const engine = await openEngine({ databaseUrl });
const { rows: [marker] } = await engine.pgPool!.query<{ info: { largestOrgId: string } }>(`SELECT info FROM bench_list_dataset WHERE name = 'cards'`);
const orgId = marker!.info.largestOrgId;
const cases = (await buildCases(engine.db, orgId)).filter((c) => !filter || c.name.includes(filter));

// A Kysely whose queries are captured instead of run.
let captured: CompiledQuery | undefined;
const capture = new Kysely<Database>({
  dialect: new PostgresDialect({ pool: engine.pgPool! }),
  log: (event) => { captured = event.query; },
});

for (const c of cases) {
  const raw: Record<string, string | string[]> = {};
  for (const [k, v] of new URL(c.path, 'http://x').searchParams) {
    const prev = raw[k];
    raw[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const params = parseCardListQuery(raw);
  await selectCardPage(capture, {
    organizationId: orgId, visibility: { kind: 'organization' }, filters: params.filters, sort: params.sort,
    limit: params.perPage, offset: (params.page - 1) * params.perPage,
  });
  const q = captured!;
  // Twice: the first run warms the cache, the second is the one reported.
  await engine.pgPool!.query(`EXPLAIN (ANALYZE) ${q.sql}`, q.parameters as unknown[]);
  const { rows } = await engine.pgPool!.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, q.parameters as unknown[]);
  const lines = rows.map((r) => r['QUERY PLAN']);
  const exec = lines.find((l) => l.startsWith('Execution Time'));
  const plan = lines.find((l) => l.startsWith('Planning Time'));
  console.log(`${c.name.padEnd(44)} ${exec}  (${plan})`);
  if (showPlan) console.log(`${q.sql}\n${JSON.stringify(q.parameters)}\n${lines.join('\n')}\n`);
}
await capture.destroy().catch(() => {});
await engine.close().catch(() => {});
