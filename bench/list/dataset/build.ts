import { sql } from 'kysely';
import type { Db } from '../../../src/db/engine.ts';
import { migrate } from '../../../src/db/migrate.ts';
import { organizationSizes, planOrganizations, rngOf } from './generate.ts';
import {
  clearMarker, codeDigest, dropCardIndexes, ensureMarkerTable, insertPeople, loadCards, readMarker, rebuildCounts,
  resetData, restoreCardIndexes, writeMarker, type DatasetInfo, type DatasetParams,
} from './load.ts';

// Builds the benchmark dataset into a migrated database, or finds it already there (same parameters, same
// row-shaping code) and returns at once.

export interface DatasetSpec {
  organizations: number;
  cards: number;
  largest: number;
  /** Concurrent insert sessions: 2 keeps PostgreSQL busy while node renders the next batch. */
  workers: number;
  batch: number;
}

// The data's "now": fixed, so a rebuild gives identical rows and search counts.
const DATA_NOW = Date.UTC(2026, 10, 1);
const SEED = 20_261_123;

export async function ensureDataset(db: Db, spec: DatasetSpec, log: (s: string) => void): Promise<DatasetInfo> {
  await migrate(db);
  await ensureMarkerTable(db);
  const params: DatasetParams = {
    organizations: spec.organizations, cards: spec.cards, largest: spec.largest, seed: SEED, codeDigest: codeDigest(),
  };
  const existing = await readMarker(db, 'cards', params);
  const pending = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM bench_list_dropped_indexes`.execute(db)).rows[0]!.n;
  if (existing && pending === 0) {
    log(`dataset: reusing ${spec.cards.toLocaleString('en')} cards over ${spec.organizations} organizations (built in ${existing.buildSeconds} s)`);
    return existing;
  }
  const started = performance.now();
  const elapsed = () => ((performance.now() - started) / 1000).toFixed(0);
  log(`dataset: building ${spec.cards.toLocaleString('en')} cards over ${spec.organizations} organizations (largest ${spec.largest.toLocaleString('en')})`);
  await clearMarker(db, 'cards');
  await resetData(db);
  const rng = rngOf(SEED);
  const plans = planOrganizations(rng, organizationSizes(spec.organizations, spec.cards, spec.largest));
  await insertPeople(db, plans);
  log(`  ${plans.reduce((s, p) => s + p.members.length, 0).toLocaleString('en')} memberships (${elapsed()} s)`);
  await dropCardIndexes(db);
  await loadCards(db, plans, { seed: SEED, batch: spec.batch, workers: spec.workers, now: DATA_NOW, log });
  log(`  cards loaded (${elapsed()} s); building indexes`);
  await restoreCardIndexes(db, log);
  await rebuildCounts(db);
  log(`  indexes and counts done (${elapsed()} s); VACUUM ANALYZE`);
  await sql`VACUUM ANALYZE`.execute(db);
  const info: DatasetInfo = {
    largestOrgId: plans[0]!.id,
    ownerMembershipId: plans[0]!.members[0]!.id,
    buildSeconds: Math.round((performance.now() - started) / 1000),
  };
  await writeMarker(db, 'cards', params, info);
  log(`dataset: built in ${info.buildSeconds} s`);
  return info;
}
