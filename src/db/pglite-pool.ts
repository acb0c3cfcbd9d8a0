import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

// Kysely's PostgresDialect expects a `pg`-like pool. PGlite has exactly one connection, so this pool lends it
// to one borrower at a time: a transaction keeps it until it commits, and everyone else waits in line. That
// is also why no service may do network I/O inside a transaction (DESIGN.md).
export class PGlitePool implements PostgresPool {
  readonly #db: PGlite;
  #busy = false;
  readonly #waiting: Array<() => void> = [];

  constructor(db: PGlite) {
    this.#db = db;
  }

  async connect(): Promise<PostgresPoolClient> {
    if (this.#busy) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#busy = true;
    let released = false;
    const db = this.#db;
    const client = {
      query: async (sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<unknown>> => {
        // Without parameters, use the simple protocol, which (like pg's) accepts several statements: migrations
        // are whole SQL files.
        const result =
          parameters.length === 0 ? lastOf(await db.exec(sql)) : await db.query(sql, parameters as unknown[]);
        return {
          command: commandOf(sql),
          rowCount: result.affectedRows ?? result.rows.length,
          rows: result.rows,
        };
      },
      release: () => {
        if (released) return;
        released = true;
        const next = this.#waiting.shift();
        if (next) next();
        else this.#busy = false;
      },
    };
    return client as unknown as PostgresPoolClient;
  }

  async end(): Promise<void> {
    await this.#db.close();
  }
}

function lastOf<T>(results: T[]): T {
  const last = results[results.length - 1];
  if (last === undefined) throw new Error('PGlite returned no result');
  return last;
}

// Kysely reads `command` only to decide whether to report affected rows; PGlite does not say which statement
// ran, and reporting a SELECT as a write would be harmless while the reverse would lose the count.
function commandOf(sql: string): PostgresQueryResult<unknown>['command'] {
  return /^\s*select\b/i.test(sql) ? 'SELECT' : 'UPDATE';
}
