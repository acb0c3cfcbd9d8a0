import { createHash } from 'node:crypto';
import { createQueryId, PostgresQueryCompiler, sql, type CompiledQuery, type Compilable, type QueryResult, type RawBuilder } from 'kysely';
import type pg from 'pg';
import type { Executor } from './queries/cards.ts';

// Named prepared statements for the hot statements (authentication, the card write path, one-card reads, the
// unfiltered first pages of the list, the webhook worker's claim and record). PostgreSQL spent more time
// parsing and planning these statements than running them: on the write path, parse + plan took 2.6 of 3.8 ms
// of PostgreSQL CPU per write (BENCHMARKS.md, "Card writes"). A prepared statement is parsed once per
// connection and, once PostgreSQL sees its generic plan is as good as the custom ones (primary-key and unique
// lookups, one index walk, a walk per subscription), planned once too; otherwise it goes on planning per call.
//
// Opt-in, by a marker at the start of the SQL text, because a generic plan can be far worse than a custom one
// when the values change the best plan: the other shapes of the card list (skewed organizations, status
// filters, LIKE patterns) are planned per request. Kysely passes only text and values to the driver, hence a
// marker rather than an option.

const MARK = '/* qcards:prepared */ ';

/** Runs a query as a named prepared statement on PostgreSQL (as a plain query on PGlite). */
export async function executePrepared<R>(db: Executor, query: Compilable<R> | RawBuilder<R>): Promise<QueryResult<R>> {
  const compiled = 'isRawBuilder' in query ? query.compile(db) : query.compile();
  return db.executeQuery({ ...compiled, sql: MARK + compiled.sql } as CompiledQuery<R>);
}

const compiler = new PostgresQueryCompiler();

/**
 * A fragment without values, compiled to its text once (both engines speak PostgreSQL's dialect). Kysely walks
 * every node of a statement each time it compiles one, and the hot statements are built anew for every call:
 * building the card write's statement was its largest allocation site (Kysely's visitIdentifier alone, mostly the
 * SET list's 110 identifiers, made 5% of the API server's bytes at 1,000 changes/s), and every allocation brings
 * the next garbage collection pause nearer (BENCHMARKS.md, "Webhook delivery", fourteenth session).
 */
export function fixedText(fragment: RawBuilder<unknown>): RawBuilder<unknown> {
  const compiled = compiler.compileQuery(fragment.toOperationNode(), createQueryId());
  if (compiled.parameters.length > 0) throw new Error('fixedText: the fragment has values');
  return sql.raw(compiled.sql);
}

const names = new Map<string, string>();

/** The statement name for a marked text: a hash, so the same text always gets the same name. */
function nameOf(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `qc_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`;
    names.set(text, name);
  }
  return name;
}

type QueryFn = (...args: unknown[]) => unknown;

/**
 * Makes every client of `pool` run marked texts as named statements. pg prepares a named statement on a
 * connection the first time it runs there and reuses it afterwards; only marked texts get names, so their
 * number per connection is bounded by the code, not by the traffic.
 *
 * Every query given as text (Kysely's, and the app's own) also goes through pg's callback API, answered by a
 * promise of our own when the caller passed no callback, instead of pg's promise API, which Kysely uses.
 * Measured (--trace-gc-nvp, 100-card pages): through pg's promise API ~99% of what a query allocated survived
 * the next scavenge and was promoted to the old generation, against ~0% through the callback API, so every
 * scavenge copied megabytes (4–6 ms pauses, every few requests) and a full collection followed every second:
 * that, not the database, was the single-client latency tail of GET /v2/cards (BENCHMARKS.md, fourth session).
 */
export function prepareMarkedStatements(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as QueryFn;
    (client as unknown as { query: QueryFn }).query = (text: unknown, ...rest: unknown[]) => {
      // Config objects and submittables (cursors) go through untouched.
      if (typeof text !== 'string') return query(text, ...rest);
      const callback = rest.find((r) => typeof r === 'function');
      const values = typeof rest[0] === 'function' ? undefined : rest[0];
      const config = text.startsWith(MARK) ? { name: nameOf(text), text, values } : { text, values };
      if (callback) return query(config, callback);
      return new Promise((resolve, reject) => {
        query(config, (error: Error | null, result: unknown) => (error ? reject(error) : resolve(result)));
      });
    };
  });
}
