import { openEngine } from '../src/db/engine.ts';
import { selectCardPage } from '../src/db/queries/card-list.ts';
const url = 'postgres://postgres@127.0.0.1:5432/qcards_bench';
const engine = await openEngine({ databaseUrl: url });
const org = process.argv[2]!;
const t0 = performance.now();
for (let i = 0; i < 2000; i++) {
  const r = await selectCardPage(engine.db, { organizationId: org, visibility: { kind: 'organization' }, filters: {}, sort: { key: 'status', order: 'asc' }, limit: 100, offset: 0 });
  if (r.cards.length !== 100) throw new Error('x');
}
console.error('per query ms', ((performance.now() - t0) / 2000).toFixed(2));
await engine.close();
