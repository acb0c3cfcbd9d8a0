import type { Transaction } from 'kysely';
import type { Db } from './engine.ts';
import type { Database } from './schema.ts';

// Postgres may abort a transaction that did nothing wrong: a deadlock (40P01) or a serialization failure
// (40001) between concurrent writers. Such a transaction is safe to run again from the start, so services
// run their work through here instead of failing the request.
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 4;

export async function inTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= MAX_ATTEMPTS || code === undefined || !RETRYABLE.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt * Math.random()));
    }
  }
}
