import type { Db } from '../db/engine.ts';
import type { Clock } from '../domain/clock.ts';
import { ApiError } from '../domain/errors.ts';

// X-Qonto-Idempotency-Key (CONTRACT.md): the first success of a key is stored and replayed byte for byte
// within the window; concurrent repeats run the change once. A request claims its key with one INSERT that
// commits on its own, then runs; repeats that find a pending claim poll for the answer between short sleeps,
// holding no connection while they wait (PGlite has one connection, which the running change needs).

export interface KeyScope {
  organizationId: string;
  membershipId: string;
  key: string;
  method: string;
  path: string;
}

export type Claim =
  | { kind: 'owner' }
  | { kind: 'replay'; statusCode: number; contentType: string; body: string };

/** A claim whose owner has not answered after this long is taken to be a crashed process and taken over. */
const STALE_CLAIM_MS = 60_000;
/** How long a repeat waits for the first request to finish before answering 409. */
const MAX_WAIT_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function where<Q extends { where: (...args: any[]) => Q }>(q: Q, s: KeyScope): Q { // eslint-disable-line @typescript-eslint/no-explicit-any
  return q.where('organization_id', '=', s.organizationId).where('membership_id', '=', s.membershipId).where('idempotency_key', '=', s.key);
}

export async function claimKey(db: Db, clock: Clock, s: KeyScope): Promise<Claim> {
  const started = Date.now();
  for (let round = 0; ; round++) {
    const now = clock.now();
    const inserted = await db
      .insertInto('idempotency_keys')
      .values({
        organization_id: s.organizationId, membership_id: s.membershipId, idempotency_key: s.key, method: s.method,
        path: s.path, state: 'pending', status_code: null, content_type: null, body: null, claimed_at: now, expires_at: null,
      })
      .onConflict((oc) => oc.columns(['organization_id', 'membership_id', 'idempotency_key']).doNothing())
      .returning('state')
      .executeTakeFirst();
    if (inserted) return { kind: 'owner' };

    const row = await where(db.selectFrom('idempotency_keys').selectAll(), s).executeTakeFirst();
    if (!row) continue; // released between our INSERT and SELECT: claim again
    if (row.method !== s.method || row.path !== s.path) {
      throw new ApiError(422, {
        code: 'idempotency_key_reused',
        detail: `this X-Qonto-Idempotency-Key was used for ${row.method} ${row.path}; use a new key for another request`,
        source: { parameter: 'X-Qonto-Idempotency-Key' },
      });
    }
    if (row.state === 'done') {
      if (row.expires_at !== null && row.expires_at > now) {
        return { kind: 'replay', statusCode: row.status_code!, contentType: row.content_type!, body: row.body! };
      }
      await where(db.deleteFrom('idempotency_keys'), s).where('state', '=', 'done').where('expires_at', '<=', now).execute();
      continue;
    }
    if (now.getTime() - row.claimed_at.getTime() > STALE_CLAIM_MS) {
      const taken = await where(db.updateTable('idempotency_keys'), s)
        .set({ claimed_at: now })
        .where('state', '=', 'pending')
        .where('claimed_at', '=', row.claimed_at)
        .executeTakeFirst();
      if (taken.numUpdatedRows === 1n) return { kind: 'owner' };
      continue;
    }
    if (Date.now() - started > MAX_WAIT_MS) {
      throw new ApiError(409, { code: 'idempotency_key_in_use', detail: 'a request with this X-Qonto-Idempotency-Key is still running', source: { parameter: 'X-Qonto-Idempotency-Key' } });
    }
    await sleep(Math.min(5 + round * 5, 50));
  }
}

/** Stores the owner's successful answer for the window. */
export async function completeKey(
  db: Db, clock: Clock, s: KeyScope, windowSeconds: number, answer: { statusCode: number; contentType: string; body: string },
): Promise<void> {
  await where(db.updateTable('idempotency_keys'), s)
    .set({
      state: 'done', status_code: answer.statusCode, content_type: answer.contentType, body: answer.body,
      expires_at: new Date(clock.now().getTime() + windowSeconds * 1000),
    })
    .where('state', '=', 'pending')
    .execute();
}

/** A failed request gives its key back: Qonto caches successful responses only. */
export async function releaseKey(db: Db, s: KeyScope): Promise<void> {
  await where(db.deleteFrom('idempotency_keys'), s).where('state', '=', 'pending').execute();
}

/** Drops answers whose window has passed (run by the scheduler). */
export async function purgeExpiredKeys(db: Db, now: Date): Promise<number> {
  const r = await db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}
