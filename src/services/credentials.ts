import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/engine.ts';
import { executePrepared } from '../db/prepared.ts';
import type { Role } from '../db/schema.ts';
import type { Clock } from '../domain/clock.ts';
import { notFound } from '../domain/errors.ts';
import { authGeneration, cachedPrincipal, forgetAuthentications, rememberPrincipal, sharedLookup } from './auth-cache.ts';
import type { Scope } from '../domain/scopes.ts';

/** Who is calling: one organization and one membership, with the scopes of the credential used. */
export interface Principal {
  credentialId: string;
  organizationId: string;
  membershipId: string;
  role: Role;
  teamId: string | null;
  scopes: ReadonlySet<string>;
}

export interface IssuedCredential {
  id: string;
  kind: 'api_key' | 'access_token';
  membership_id: string;
  organization_id: string;
  scopes: string[];
  /** Shown once, at creation: only its SHA-256 is stored. */
  secret: string;
  /** The exact Authorization header value to send. */
  authorization: string;
  login: string | null;
}

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export async function issueCredential(
  db: Db,
  input: { membershipId: string; organizationId?: string; kind: 'api_key' | 'access_token'; scopes: readonly Scope[]; label?: string },
): Promise<IssuedCredential> {
  const membership = await db
    .selectFrom('memberships')
    .innerJoin('organizations', 'organizations.id', 'memberships.organization_id')
    .select(['memberships.id', 'memberships.organization_id', 'organizations.slug'])
    .where('memberships.id', '=', input.membershipId)
    .$if(input.organizationId !== undefined, (q) => q.where('memberships.organization_id', '=', input.organizationId!))
    .executeTakeFirst();
  if (!membership) throw notFound('membership', 'membership_id');

  const id = randomUUID();
  const scopes = [...new Set(input.scopes)];
  if (input.kind === 'access_token') {
    const secret = `qat_${randomBytes(32).toString('base64url')}`;
    await db
      .insertInto('credentials')
      .values({
        id, organization_id: membership.organization_id, membership_id: membership.id, kind: 'access_token',
        login: null, secret_hash: hashSecret(secret), scopes, label: input.label ?? '', expires_at: null, revoked_at: null,
      })
      .execute();
    return {
      id, kind: 'access_token', membership_id: membership.id, organization_id: membership.organization_id, scopes,
      secret, authorization: `Bearer ${secret}`, login: null,
    };
  }
  // Qonto's API key logins look like `pied-piper-7132`: the organization slug and four digits.
  const secret = randomBytes(16).toString('hex');
  for (let attempt = 0; ; attempt++) {
    const login = `${membership.slug}-${randomInt(1000, 10000)}${attempt > 3 ? `-${randomInt(1e6)}` : ''}`;
    const inserted = await db
      .insertInto('credentials')
      .values({
        id, organization_id: membership.organization_id, membership_id: membership.id, kind: 'api_key', login,
        secret_hash: hashSecret(secret), scopes, label: input.label ?? '', expires_at: null, revoked_at: null,
      })
      .onConflict((oc) => oc.column('login').doNothing())
      .executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows === 1n) {
      return {
        id, kind: 'api_key', membership_id: membership.id, organization_id: membership.organization_id, scopes,
        secret, authorization: `${login}:${secret}`, login,
      };
    }
  }
}

/** Revokes a credential; with `organizationId`, only one of that organization. Returns whether it existed. */
export async function revokeCredential(db: Db, clock: Clock, id: string, organizationId?: string): Promise<boolean> {
  const result = await db
    .updateTable('credentials')
    .set({ revoked_at: clock.now() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .$if(organizationId !== undefined, (q) => q.where('organization_id', '=', organizationId!))
    .executeTakeFirst();
  forgetAuthentications();
  return result.numUpdatedRows === 1n;
}

export type AuthFailure = 'missing' | 'malformed' | 'invalid';

/**
 * Resolves an Authorization header: `Bearer <access token>` or Qonto's API key form `<login>:<secret>` (no
 * prefix, no base64). Unknown, revoked and expired credentials all fail the same way.
 */
export async function authenticate(db: Db, clock: Clock, header: string | undefined): Promise<Principal | AuthFailure> {
  if (header === undefined || header.trim() === '') return 'missing';
  const value = header.trim();
  // The cache key is a hash, so no secret is kept in memory longer than its request.
  const cacheKey = hashSecret(value);
  const cached = cachedPrincipal(db, cacheKey, clock.now());
  if (cached) return cached;
  return sharedLookup(db, cacheKey, () => lookUp(db, clock, value, cacheKey));
}

async function lookUp(db: Db, clock: Clock, value: string, cacheKey: string): Promise<Principal | AuthFailure> {
  const since = authGeneration();
  const bearer = /^Bearer\s+(\S+)$/i.exec(value);
  let row;
  if (bearer) {
    // An API key's secret is hashed like a token's: only an access token may be presented as a Bearer.
    row = (await executePrepared(db, principalQuery(db)
      .where('credentials.secret_hash', '=', hashSecret(bearer[1]!)).where('credentials.kind', '=', 'access_token'))).rows[0];
  } else {
    const colon = value.indexOf(':');
    if (colon <= 0 || colon === value.length - 1 || /\s/.test(value)) return 'malformed';
    const login = value.slice(0, colon);
    const secret = value.slice(colon + 1);
    row = (await executePrepared(db, principalQuery(db).where('credentials.login', '=', login).where('credentials.kind', '=', 'api_key'))).rows[0];
    if (row && !sameHash(row.secret_hash, hashSecret(secret))) row = undefined;
  }
  if (!row || row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= clock.now())) return 'invalid';
  const principal: Principal = {
    credentialId: row.id,
    organizationId: row.organization_id,
    membershipId: row.membership_id,
    role: row.role,
    teamId: row.team_id,
    scopes: new Set(row.scopes),
  };
  rememberPrincipal(db, cacheKey, principal, row.expires_at, since);
  return principal;
}

function principalQuery(db: Db) {
  return db
    .selectFrom('credentials')
    .innerJoin('memberships', 'memberships.id', 'credentials.membership_id')
    .select([
      'credentials.id', 'credentials.organization_id', 'credentials.membership_id', 'credentials.scopes',
      'credentials.secret_hash', 'credentials.revoked_at', 'credentials.expires_at', 'memberships.role',
      'memberships.team_id',
    ]);
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
