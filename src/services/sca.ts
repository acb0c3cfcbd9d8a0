import { randomBytes } from 'node:crypto';
import type { Db } from '../db/engine.ts';
import type { Clock } from '../domain/clock.ts';
import { ApiError, notFound, unprocessable } from '../domain/errors.ts';
import type { Principal } from './credentials.ts';

// Strong customer authentication, mocked as Qonto's sandbox does (CONTRACT.md "SCA"): a sensitive request
// without a session token gets 428 and a token; the mocked endpoints allow or deny it; the identical request
// replayed with X-Qonto-Sca-Session-Token runs once the session is allowed. A session is bound to the request
// it was issued for, used once, and valid 15 minutes (qonto-reference.md §4.1).

export const SCA_SESSION_TTL_MS = 15 * 60_000;

export type ScaResult = 'waiting' | 'allow' | 'deny';

/** Qonto's 428 carries a `message` and the `sca_session_token` (qonto-reference.md §4.1), beside the errors. */
function required(token: string, code: string, detail: string): ApiError {
  return new ApiError(428, { code, detail }, { message: detail, sca_session_token: token });
}

async function newSession(db: Db, clock: Clock, p: Principal, requestHash: string): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  const now = clock.now();
  await db.insertInto('sca_sessions').values({
    token, organization_id: p.organizationId, membership_id: p.membershipId, request_hash: requestHash, result: 'waiting',
    created_at: now, expires_at: new Date(now.getTime() + SCA_SESSION_TTL_MS), decided_at: null, used_at: null,
  }).execute();
  return token;
}

/** Returns when the request may run; otherwise throws the 428/403/422 that tells the client what to do. */
export async function requireSca(db: Db, clock: Clock, p: Principal, requestHash: string, given: string | undefined): Promise<void> {
  const retry = async (code: string, detail: string) => required(await newSession(db, clock, p, requestHash), code, detail);
  if (given === undefined || given === '') {
    throw await retry('sca_required', 'this action requires strong customer authentication: have the session allowed, then replay the request with X-Qonto-Sca-Session-Token');
  }
  const now = clock.now();
  const row = await db.selectFrom('sca_sessions').selectAll()
    .where('token', '=', given).where('organization_id', '=', p.organizationId).where('membership_id', '=', p.membershipId)
    .executeTakeFirst();
  if (!row || row.expires_at <= now) {
    throw await retry('sca_session_invalid', 'the SCA session is unknown or expired; a new session was started');
  }
  if (row.request_hash !== requestHash) {
    throw new ApiError(422, { code: 'sca_session_mismatch', detail: 'the SCA session was issued for another request: replay the identical request', source: { parameter: 'X-Qonto-Sca-Session-Token' } });
  }
  if (row.result === 'waiting') throw required(row.token, 'sca_pending', 'the SCA session is still waiting for the user\'s decision');
  if (row.result === 'deny') throw new ApiError(403, { code: 'sca_denied', detail: 'the user denied the SCA session' });
  const used = await db.updateTable('sca_sessions').set({ used_at: now })
    .where('token', '=', row.token).where('used_at', 'is', null).executeTakeFirst();
  if (used.numUpdatedRows !== 1n) throw await retry('sca_session_used', 'the SCA session was already used; a new session was started');
}

async function sessionOf(db: Db, p: Principal, token: string) {
  const row = await db.selectFrom('sca_sessions').selectAll()
    .where('token', '=', token).where('organization_id', '=', p.organizationId).executeTakeFirst();
  if (!row) throw notFound('SCA session', 'token');
  return row;
}

export async function scaResult(db: Db, clock: Clock, p: Principal, token: string): Promise<ScaResult> {
  const row = await sessionOf(db, p, token);
  if (row.expires_at <= clock.now() && row.result === 'waiting') throw notFound('SCA session', 'token');
  return row.result;
}

/** The mocked user decision. A session is decided once. */
export async function decideSca(db: Db, clock: Clock, p: Principal, token: string, result: 'allow' | 'deny'): Promise<void> {
  const row = await sessionOf(db, p, token);
  const now = clock.now();
  if (row.expires_at <= now) throw notFound('SCA session', 'token');
  if (row.result === result) return;
  if (row.result !== 'waiting') throw unprocessable('sca_session_decided', `the SCA session was already decided: ${row.result}`);
  await db.updateTable('sca_sessions').set({ result, decided_at: now }).where('token', '=', token).where('result', '=', 'waiting').execute();
}
