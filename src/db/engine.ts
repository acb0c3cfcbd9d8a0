import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGlitePool } from './pglite-pool.ts';
import { prepareMarkedStatements } from './prepared.ts';
import type { Database } from './schema.ts';
import { DATE_OID, INT8_OID, NUMERIC_OID, parseDate, parseNumber } from './type-parsers.ts';

export type Db = Kysely<Database>;
export type EngineKind = 'pglite' | 'postgres';

export interface Engine {
  kind: EngineKind;
  db: Db;
  /** The PostgreSQL pool behind `db`; absent on PGlite. */
  pgPool: pg.Pool | undefined;
  /**
   * A new PostgreSQL connection outside the pool, not yet connected: each LISTEN holds one for as long as it
   * listens (src/db/listen.ts), so the pool's size is all queries'. Absent on PGlite.
   */
  newClient: (() => pg.Client) | undefined;
  /** The embedded instance, for dumping a template (tests); absent on PostgreSQL. */
  pglite: PGlite | undefined;
  close(): Promise<void>;
}

export interface EngineOptions {
  databaseUrl?: string | undefined;
  /** PGlite folder; `memory://` keeps it in memory. */
  dataDir?: string | undefined;
  /** PGlite: start from this dump (a migrated template) instead of running initdb. */
  loadDataDir?: Blob | File | undefined;
  poolSize?: number;
}

export async function openEngine(options: EngineOptions): Promise<Engine> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 20);
  return openPGlite(options.dataDir ?? 'memory://', options.loadDataDir);
}

async function openPostgres(connectionString: string, max: number): Promise<Engine> {
  const types = {
    getTypeParser: ((oid: number, format?: string) => {
      if (oid === INT8_OID || oid === NUMERIC_OID) return parseNumber;
      if (oid === DATE_OID) return parseDate;
      return pg.types.getTypeParser(oid, format as 'text');
    }) as typeof pg.types.getTypeParser,
  };
  // Connections stay open once made (pg closes them after 10 s idle by default). The pool hands out the most
  // recently used first, so under steady load most of it sits idle and was closed and reopened every few
  // seconds, and a statement on a new connection waited for a new backend with cold caches and its prepared
  // statements to prepare: 30-100 ms, a write's whole p99 (BENCHMARKS.md, seventh session).
  // TCP keepalive finds a connection whose peer went away silently (a dropped NAT entry, a failover without a
  // reset) that the pool would otherwise keep, and hand out, for ever.
  const pool = new pg.Pool({ connectionString, max, types, idleTimeoutMillis: 0, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  prepareMarkedStatements(pool);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    pgPool: pool,
    newClient: () => new pg.Client({ connectionString, types }),
    pglite: undefined,
    close: () => db.destroy(),
  };
}

async function openPGlite(dataDir: string, loadDataDir: Blob | File | undefined): Promise<Engine> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  // Imported here, not at the top: loading PGlite costs ~47 MB of RSS, which a server on PostgreSQL never needs.
  const [{ PGlite }, { pg_trgm }, { btree_gin }] = await Promise.all([
    import('@electric-sql/pglite'), import('@electric-sql/pglite/contrib/pg_trgm'), import('@electric-sql/pglite/contrib/btree_gin'),
  ]);
  const pglite = await PGlite.create({
    dataDir,
    extensions: { pg_trgm, btree_gin },
    parsers: { [INT8_OID]: parseNumber, [NUMERIC_OID]: parseNumber, [DATE_OID]: parseDate },
    ...(loadDataDir ? { loadDataDir } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new PGlitePool(pglite) }) });
  return {
    kind: 'pglite',
    db,
    pgPool: undefined,
    newClient: undefined,
    pglite,
    close: () => db.destroy(),
  };
}
