import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from './engine.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
// Any fixed number works; it only has to be the same in every qcards process sharing a database.
const MIGRATION_LOCK_KEY = 7_302_114_551;

export interface Migration {
  name: string;
  sql: string;
}

export function listMigrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((name) => ({ name, sql: readFileSync(MIGRATIONS_DIR + name, 'utf8') }));
}

/**
 * Applies the migrations not yet applied, in order, each in its own transaction. A session-level advisory lock
 * makes processes that start together take turns: the second finds the work done. With `before`, only those whose
 * names sort before it (for tests of the migrations after it).
 */
export async function migrate(db: Db, options: { before?: string } = {}): Promise<string[]> {
  const applied: string[] = [];
  await db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
    try {
      await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
        name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`.execute(conn);
      const done = new Set(
        (await sql<{ name: string }>`SELECT name FROM schema_migrations`.execute(conn)).rows.map((r) => r.name),
      );
      for (const migration of listMigrations()) {
        if (done.has(migration.name) || (options.before !== undefined && migration.name >= options.before)) continue;
        await sql`BEGIN`.execute(conn);
        try {
          await sql.raw(migration.sql).execute(conn);
          await sql`INSERT INTO schema_migrations (name) VALUES (${migration.name})`.execute(conn);
          await sql`COMMIT`.execute(conn);
        } catch (error) {
          await sql`ROLLBACK`.execute(conn);
          throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
        }
        applied.push(migration.name);
      }
    } finally {
      await sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn);
    }
  });
  return applied;
}
