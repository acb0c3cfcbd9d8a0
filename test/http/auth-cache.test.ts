import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { forgetAuthentications, sharedLookup } from '../../src/services/auth-cache.ts';
import { issueCredential } from '../../src/services/credentials.ts';
import { startTestApp } from '../helpers/app.ts';
import { eventually } from '../helpers/eventually.ts';
import { createOrgFixture, insertTestCards } from '../helpers/fixtures.ts';

// Successful authentications are remembered per process (src/services/auth-cache.ts). The TTL here is a minute,
// so a test that sees a change in less has seen it through the cache being forgotten, not expiring: every change
// this process makes must apply to the very next request, and every change made elsewhere within moments.

const { app, deps, clock } = await startTestApp({ authCacheMs: 60_000 });
const db = deps.engine.db;
const operator = { authorization: 'Bearer test-operator-token' };

async function status(authorization: string): Promise<number> {
  const res = await app.inject({ method: 'GET', url: '/v2/cards?per_page=1', headers: { authorization } });
  return res.statusCode;
}

test('a credential revoked through the operator API is refused on the next request', async () => {
  const org = await createOrgFixture(db);
  for (const kind of ['access_token', 'api_key'] as const) {
    const credential = await issueCredential(db, { membershipId: org.owner.id, kind, scopes: ['card.read'] });
    assert.equal(await status(credential.authorization), 200);
    assert.equal(await status(credential.authorization), 200);
    const res = await app.inject({ method: 'DELETE', url: `/qcards/operator/v1/credentials/${credential.id}`, headers: operator });
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(await status(credential.authorization), 401, kind);
  }
});

test('a wrong API key secret is refused even right after the right one was accepted', async () => {
  const org = await createOrgFixture(db);
  const credential = await issueCredential(db, { membershipId: org.owner.id, kind: 'api_key', scopes: ['card.read'] });
  assert.equal(await status(credential.authorization), 200);
  const wrong = `${credential.login}:${'0'.repeat(credential.secret.length)}`;
  assert.equal(await status(wrong), 401);
});

test('a credential is refused as soon as it expires, even when it was just accepted', async () => {
  const org = await createOrgFixture(db);
  const credential = await issueCredential(db, { membershipId: org.owner.id, kind: 'access_token', scopes: ['card.read'] });
  await db.updateTable('credentials').set({ expires_at: new Date(clock.now().getTime() + 60_000) }).where('id', '=', credential.id).execute();
  assert.equal(await status(credential.authorization), 200);
  clock.advance(60_001);
  assert.equal(await status(credential.authorization), 401);
});

test('credentials of a deleted organization are refused on the next request', async () => {
  const org = await createOrgFixture(db);
  assert.equal(await status(org.owner.auth), 200);
  const res = await app.inject({ method: 'DELETE', url: `/qcards/operator/v1/organizations/${org.id}`, headers: operator });
  assert.ok(res.statusCode === 204 || res.statusCode === 200, res.body);
  assert.equal(await status(org.owner.auth), 401);
});

/** Polls until `authorization` is refused, for at most `ms`. */
const refusedWithin = (authorization: string, ms: number) =>
  eventually(async () => (await status(authorization)) === 401, 'the credential is refused', ms);

test('a revocation made outside this process (straight in the database) is seen within moments', async () => {
  const org = await createOrgFixture(db);
  const credential = await issueCredential(db, { membershipId: org.owner.id, kind: 'access_token', scopes: ['card.read'] });
  assert.equal(await status(credential.authorization), 200);
  assert.equal(await status(credential.authorization), 200);
  await sql`UPDATE credentials SET revoked_at = now() WHERE id = ${credential.id}`.execute(db);
  await refusedWithin(credential.authorization, 2000);
});

test('a role or team changed straight in the database is seen within moments', async () => {
  const org = await createOrgFixture(db);
  const card = (await insertTestCards(db, org, [{ holder: org.owner }]))[0]!;
  const url = `/v2/cards/${card.id}`;
  const get = async () => (await app.inject({ method: 'GET', url, headers: { authorization: org.employee.auth } })).statusCode;
  assert.equal(await get(), 404, 'an employee does not see the owner\'s card');
  await sql`UPDATE memberships SET role = 'admin' WHERE id = ${org.employee.id}`.execute(db);
  await eventually(async () => (await get()) === 200, 'the new role is seen', 2000);
});

test('a deleted membership takes its credentials with it within moments', async () => {
  const org = await createOrgFixture(db);
  assert.equal(await status(org.employee.auth), 200);
  await sql`DELETE FROM memberships WHERE id = ${org.employee.id}`.execute(db);
  await refusedWithin(org.employee.auth, 2000);
});

test('while the listening connection is lost nothing cached is used, and it comes back', { skip: deps.engine.kind !== 'postgres' && 'PGlite has no connection to lose' }, async () => {
  const org = await createOrgFixture(db);
  const credential = await issueCredential(db, { membershipId: org.owner.id, kind: 'access_token', scopes: ['card.read'] });
  assert.equal(await status(credential.authorization), 200);
  const listeners = async () => (await sql<{ pid: number }>`
    SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN qcards_auth' AND datname = current_database()`.execute(db)).rows.map((r) => r.pid);
  const before = await listeners();
  assert.ok(before.length >= 1, 'this app listens for authentication changes');
  await sql`SELECT pg_terminate_backend(pid) FROM unnest(${before}::int[]) AS pid`.execute(db);
  await new Promise((resolve) => setTimeout(resolve, 100));
  // Made while nobody listens: no notification will ever say so.
  await sql`UPDATE credentials SET revoked_at = now() WHERE id = ${credential.id}`.execute(db);
  // Sooner than the reconnection (two seconds later) could explain: the cache was bypassed while down.
  await refusedWithin(credential.authorization, 1500);
  await eventually(async () => (await listeners()).some((pid) => !before.includes(pid)), 'LISTEN is re-established', 4000, 50);
});

test('a remembered authentication is served without the database until a change notification arrives', async () => {
  const org = await createOrgFixture(db);
  const credential = await issueCredential(db, { membershipId: org.owner.id, kind: 'access_token', scopes: ['card.read'] });
  assert.equal(await status(credential.authorization), 200);
  // Revoked with the triggers off, so no notification is sent: only the cache can still accept it.
  await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL session_replication_role = replica`.execute(trx);
    await sql`UPDATE credentials SET revoked_at = now() WHERE id = ${credential.id}`.execute(trx);
  });
  assert.equal(await status(credential.authorization), 200, 'served from the cache');
  await sql`SELECT pg_notify('qcards_auth', '')`.execute(db);
  await refusedWithin(credential.authorization, 2000);
});

test('concurrent lookups of one credential share one query; one asked for after a change runs its own', async () => {
  const org = await createOrgFixture(db);
  // The cache is in use once this process listens for changes (a request through the cache shows it).
  await eventually(async () => {
    await status(org.owner.auth);
    let ran = 0;
    await Promise.all([sharedLookup(db, 'probe', async () => ++ran), sharedLookup(db, 'probe', async () => ++ran)]);
    return ran === 1;
  }, 'lookups are shared', 4000, 50);
  let runs = 0;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const lookup = async () => {
    const run = ++runs;
    await gate;
    return run;
  };
  const first = sharedLookup(db, 'key', lookup);
  const joined = sharedLookup(db, 'key', lookup);
  const otherKey = sharedLookup(db, 'other key', lookup);
  forgetAuthentications();
  const afterChange = sharedLookup(db, 'key', lookup);
  open();
  assert.deepEqual(await Promise.all([first, joined, otherKey, afterChange]), [1, 1, 2, 3]);
  // Nothing is kept once it is answered: the next lookup runs again.
  assert.equal(await sharedLookup(db, 'key', lookup), 4);
  // And every request of a burst with one credential is answered.
  const answers = await Promise.all(Array.from({ length: 12 }, () => status(org.admin.auth)));
  assert.deepEqual(answers, Array<number>(12).fill(200));
});
