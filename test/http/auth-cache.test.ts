import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { issueCredential } from '../../src/services/credentials.ts';
import { startTestApp } from '../helpers/app.ts';
import { createOrgFixture } from '../helpers/fixtures.ts';

// With QCARDS_AUTH_CACHE_MS=1000, successful authentications are remembered for one second per process
// (src/services/auth-cache.ts; off by default): every
// change this process makes that ends a credential must still refuse the very next request.

const { app, deps, clock } = await startTestApp({ authCacheMs: 1000 });
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

test('a revocation made by another process (straight in the database) is seen within a second', async () => {
  const org = await createOrgFixture(db);
  const credential = await issueCredential(db, { membershipId: org.owner.id, kind: 'access_token', scopes: ['card.read'] });
  assert.equal(await status(credential.authorization), 200);
  await sql`UPDATE credentials SET revoked_at = now() WHERE id = ${credential.id}`.execute(db);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  assert.equal(await status(credential.authorization), 401);
});
