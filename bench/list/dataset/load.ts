import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { Db } from '../../../src/db/engine.ts';
import { listMigrations } from '../../../src/db/migrate.ts';
import { generateCard, cardRow, rngOf, shuffledOwners, type OrgPlan } from './generate.ts';

// Bulk loading of benchmark data, on either engine through Kysely. Cards go in as one JSON parameter per
// batch (json_populate_recordset), with the table's secondary indexes dropped and the count triggers off
// (session_replication_role = replica), then indexes are rebuilt once and card_counts is filled with one
// INSERT … SELECT: rebuilding a GIN trigram index once is far cheaper than maintaining it row by row.

export interface DatasetParams {
  organizations: number;
  cards: number;
  largest: number;
  seed: number;
  /** Digest of the code that shapes the rows; a change means the stored rows are stale. */
  codeDigest: string;
}

export function codeDigest(): string {
  const hash = createHash('sha256');
  for (const file of ['../../../src/domain/card.ts', '../../../src/domain/card-factory.ts', '../../../src/domain/appearances.ts', './generate.ts', './names.ts']) {
    hash.update(readFileSync(new URL(file, import.meta.url)));
  }
  // Every migration: they shape the stored rows too (012 changed how api_json is compressed).
  for (const m of listMigrations()) hash.update(m.sql);
  return hash.digest('hex').slice(0, 16);
}

export interface DatasetInfo {
  largestOrgId: string;
  ownerMembershipId: string;
  buildSeconds: number;
}

export async function ensureMarkerTable(db: Db): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS bench_list_dataset (
    name text PRIMARY KEY, params jsonb NOT NULL, info jsonb NOT NULL, built_at timestamptz NOT NULL DEFAULT now())`.execute(db);
  // Definitions of the card indexes dropped for a load, kept until they are rebuilt: a load interrupted at
  // any point leaves them here for the next run to restore.
  await sql`CREATE TABLE IF NOT EXISTS bench_list_dropped_indexes (name text PRIMARY KEY, definition text NOT NULL)`.execute(db);
}

export async function readMarker(db: Db, name: string, params: DatasetParams): Promise<DatasetInfo | undefined> {
  const row = (await sql<{ params: DatasetParams; info: DatasetInfo }>`SELECT params, info FROM bench_list_dataset WHERE name = ${name}`.execute(db)).rows[0];
  // jsonb reorders keys: compare field by field.
  const stored = row?.params as unknown as Record<string, unknown> | undefined;
  if (!stored || Object.entries(params).some(([k, v]) => stored[k] !== v)) return undefined;
  return row!.info;
}

export async function writeMarker(db: Db, name: string, params: DatasetParams, info: DatasetInfo): Promise<void> {
  await sql`INSERT INTO bench_list_dataset (name, params, info) VALUES (${name}, ${JSON.stringify(params)}, ${JSON.stringify(info)})
    ON CONFLICT (name) DO UPDATE SET params = excluded.params, info = excluded.info, built_at = now()`.execute(db);
}

export async function clearMarker(db: Db, name: string): Promise<void> {
  await sql`DELETE FROM bench_list_dataset WHERE name = ${name}`.execute(db);
}

/** Empties every qcards table (everything hangs off organizations) and card_counts. */
export async function resetData(db: Db): Promise<void> {
  await sql`TRUNCATE organizations, card_counts CASCADE`.execute(db);
}

async function chunked<T>(items: T[], size: number, fn: (chunk: T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await fn(items.slice(i, i + size));
}

export async function insertPeople(db: Db, plans: OrgPlan[]): Promise<void> {
  await chunked(plans, 1000, async (chunk) => {
    await db.insertInto('organizations').values(chunk.map((o) => ({
      id: o.id, slug: o.slug, name: o.name, legal_name: `${o.name} SAS`, legal_number: String(100_000_000 + plans.indexOf(o)),
      legal_registration_date: null, contract_signed_at: null,
    }))).execute();
  });
  await chunked(plans.flatMap((o) => o.teams.map((id, i) => ({ id, organization_id: o.id, name: `Team ${i + 1}` }))), 2000, async (c) => {
    await db.insertInto('teams').values(c).execute();
  });
  const members = plans.flatMap((o) => o.members.map((m, i) => ({
    ...m, organization_id: o.id, email: `member${i}@${o.slug}.example.com`, birthdate: null,
  })));
  await chunked(members, 2000, async (c) => {
    await db.insertInto('memberships').values(c).execute();
  });
  const accounts = plans.flatMap((o) => o.accounts.map((id, i) => ({
    id, organization_id: o.id, slug: `${o.slug}-bank-account-${i + 1}`, name: i === 0 ? 'Main account' : `Account ${i + 1}`,
    iban: `FR76169580000100000000${String(i).padStart(5, '0')}`, bic: 'QNTOFRP1XXX', main: i === 0,
    account_number: String(10_000_000_000 + i),
  })));
  await chunked(accounts, 2000, async (c) => {
    await db.insertInto('bank_accounts').values(c).execute();
  });
}

/** Drops the cards table's indexes that back no constraint, remembering their definitions. */
export async function dropCardIndexes(db: Db): Promise<void> {
  await sql`INSERT INTO bench_list_dropped_indexes (name, definition)
    SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = 'cards'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
    ON CONFLICT (name) DO NOTHING`.execute(db);
  const { rows } = await sql<{ name: string }>`SELECT name FROM bench_list_dropped_indexes`.execute(db);
  for (const { name } of rows) await sql`DROP INDEX IF EXISTS ${sql.id(name)}`.execute(db);
}

/** Recreates the dropped indexes, one after the other (each build already uses parallel workers). */
export async function restoreCardIndexes(db: Db, log: (s: string) => void): Promise<void> {
  const { rows } = await sql<{ name: string; definition: string }>`SELECT name, definition FROM bench_list_dropped_indexes ORDER BY name`.execute(db);
  for (const { name, definition } of rows) {
    const t = performance.now();
    await db.connection().execute(async (conn) => {
      await sql`SET maintenance_work_mem = '1GB'`.execute(conn);
      await sql.raw(definition.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX IF NOT EXISTS ')).execute(conn);
      await sql`RESET maintenance_work_mem`.execute(conn);
    });
    await sql`DELETE FROM bench_list_dropped_indexes WHERE name = ${name}`.execute(db);
    log(`  index ${name}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
}

export async function loadCards(
  db: Db,
  plans: OrgPlan[],
  options: { seed: number; batch: number; workers: number; now: number; log: (s: string) => void },
): Promise<void> {
  const rng = rngOf(options.seed + 1);
  const owners = shuffledOwners(rng, plans.map((p) => p.cards));
  let next = 0;
  let done = 0;
  let lastLog = performance.now();
  const takeBatch = (): Array<Record<string, unknown>> | undefined => {
    if (next >= owners.length) return undefined;
    const end = Math.min(owners.length, next + options.batch);
    const rows: Array<Record<string, unknown>> = [];
    for (; next < end; next++) {
      const { card, holder } = generateCard(rng, plans[owners[next]!]!, options.now);
      rows.push(cardRow(card, holder));
    }
    return rows;
  };
  const worker = () => db.connection().execute(async (conn) => {
    // Off for this session only: FK checks (the data is consistent by construction) and the count triggers
    // (card_counts is rebuilt in one statement afterwards).
    await sql`SET session_replication_role = replica`.execute(conn);
    for (let rows = takeBatch(); rows; rows = takeBatch()) {
      const columns = sql.join(Object.keys(rows[0]!).map((c) => sql.id(c)));
      await sql`INSERT INTO cards (${columns}) SELECT ${columns} FROM json_populate_recordset(NULL::cards, ${JSON.stringify(rows)}::json)`.execute(conn);
      done += rows.length;
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        options.log(`  ${done.toLocaleString('en')} / ${owners.length.toLocaleString('en')} cards`);
      }
    }
    await sql`SET session_replication_role = DEFAULT`.execute(conn);
  });
  await Promise.all(Array.from({ length: options.workers }, worker));
}

/** card_counts as the triggers would have kept it, in one statement (all on stripe 0). */
export async function rebuildCounts(db: Db): Promise<void> {
  await sql`DELETE FROM card_counts`.execute(db);
  await sql`INSERT INTO card_counts (organization_id, bank_account_id, status, card_level, stripe, n)
    SELECT organization_id, bank_account_id, status, card_level, 0, count(*) FROM cards GROUP BY 1, 2, 3, 4`.execute(db);
}
