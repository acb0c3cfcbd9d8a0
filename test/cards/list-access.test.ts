import assert from 'node:assert/strict';
import { test } from 'node:test';
import { issueCredential, revokeCredential } from '../../src/services/credentials.ts';
import { startTestApp } from '../helpers/app.ts';
import { createOrgFixture, insertTestCards, type MemberFixture } from '../helpers/fixtures.ts';

// Authentication and who sees which cards (CONTRACT.md), on the list and on the single card.

// A test below changes a manager's team in SQL, outside qcards, and expects the very next request to see it: the
// authentication cache would see it only once its notification arrives (test/http/auth-cache.test.ts).
const { app, deps, clock } = await startTestApp({ authCacheMs: 0 });
const db = deps.engine.db;
const org = await createOrgFixture(db);
const other = await createOrgFixture(db);

const byHolder = {
  employee: await insertTestCards(db, org, [{ holder: org.employee }, { holder: org.employee, status: 'paused' }]),
  outsider: await insertTestCards(db, org, [{ holder: org.outsider }, { holder: org.outsider, card_level: 'flash' }]),
  manager: await insertTestCards(db, org, [{ holder: org.manager }]),
  owner: await insertTestCards(db, org, [{ holder: org.owner }, { holder: org.owner, card_level: 'metal' }]),
  admin: await insertTestCards(db, org, [{ holder: org.admin }]),
};
const all = Object.values(byHolder).flat();
const foreign = await insertTestCards(db, other, [{ holder: other.employee }, { holder: other.owner }]);

const get = (url: string, authorization?: string) =>
  app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } });

const sortedIds = (cards: Array<{ id: string }>) => cards.map((c) => c.id).sort();

for (const url of ['/v2/cards', `/v2/cards/${all[0]!.id}`]) {
  test(`${url.replace(/[0-9a-f-]{36}/, '{id}')}: no Authorization header is a 401 in Qonto format`, async () => {
    const res = await get(url);
    assert.equal(res.statusCode, 401);
    const body = res.json();
    assert.equal(body.errors[0].code, 'unauthorized');
    assert.match(body.errors[0].detail, /missing/);
    assert.equal(body.trace_id, res.headers['x-tyk-trace-id']);
  });

  test(`${url.replace(/[0-9a-f-]{36}/, '{id}')}: malformed, unknown and revoked credentials are 401s`, async () => {
    for (const header of ['Bearer', 'Basic abc', 'nocolon', 'login:', ':secret', 'Bearer a b', 'Bearer qat_unknown', 'someone-1234:deadbeef']) {
      const res = await get(url, header);
      assert.equal(res.statusCode, 401, header);
      assert.equal(res.json().errors[0].code, 'unauthorized');
    }
    for (const kind of ['access_token', 'api_key'] as const) {
      const credential = await issueCredential(db, { membershipId: org.owner.id, kind, scopes: ['card.read'] });
      assert.equal((await get(url, credential.authorization)).statusCode, 200, kind);
      await revokeCredential(db, clock, credential.id);
      // Revocation takes effect on the very next request.
      assert.equal((await get(url, credential.authorization)).statusCode, 401, kind);
    }
  });

  test(`${url.replace(/[0-9a-f-]{36}/, '{id}')}: an API key's secret is not a Bearer token`, async () => {
    const key = await issueCredential(db, { membershipId: org.owner.id, kind: 'api_key', scopes: ['card.read'] });
    const secret = key.authorization.slice(key.authorization.indexOf(':') + 1);
    assert.equal((await get(url, key.authorization)).statusCode, 200);
    const res = await get(url, `Bearer ${secret}`);
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().errors[0].code, 'unauthorized');
  });

  test(`${url.replace(/[0-9a-f-]{36}/, '{id}')}: a credential without card.read is a 403 naming the scope`, async () => {
    const token = await org.token(org.admin, ['card.write', 'organization.read']);
    const res = await get(url, token);
    assert.equal(res.statusCode, 403);
    const body = res.json();
    assert.equal(body.errors[0].code, 'forbidden');
    assert.match(body.errors[0].detail, /card\.read/);
  });
}

test('a 401 or 403 is decided before the parameters are looked at', async () => {
  assert.equal((await get('/v2/cards?per_page=abc')).statusCode, 401);
  assert.equal((await get('/v2/cards?per_page=abc', await org.token(org.admin, ['card.write']))).statusCode, 403);
});

const visible: Array<[string, () => MemberFixture, () => Array<{ id: string }>]> = [
  ['owner', () => org.owner, () => all],
  ['admin', () => org.admin, () => all],
  ['reporting', () => org.reporting, () => all],
  ['manager', () => org.manager, () => [...byHolder.employee, ...byHolder.manager]],
  ['employee', () => org.employee, () => byHolder.employee],
  ['employee outside the team', () => org.outsider, () => byHolder.outsider],
];

for (const [role, member, expected] of visible) {
  test(`${role}: the list holds and counts exactly the cards the role may see, and each opens`, async () => {
    const auth = member().auth;
    const res = await get('/v2/cards', auth);
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual(sortedIds(body.cards), sortedIds(expected()));
    assert.equal(body.meta.total_count, expected().length);
    // Filters narrow within what the role sees, counts included.
    const live = await get('/v2/cards?statuses[]=live&per_page=1', auth);
    const liveExpected = all.filter((c) => c.status === 'live' && expected().some((e) => e.id === c.id));
    assert.equal(live.json().meta.total_count, liveExpected.length);
    for (const card of all) {
      const one = await get(`/v2/cards/${card.id}`, auth);
      const seen = expected().some((e) => e.id === card.id);
      assert.equal(one.statusCode, seen ? 200 : 404, `${role} opening ${card.holder_id}'s card`);
    }
  });
}

test('an employee asking for other holders\' cards by id or holder gets nothing', async () => {
  const auth = org.employee.auth;
  const res = await get(`/v2/cards?holder_ids[]=${org.owner.id}&holder_ids[]=${org.outsider.id}`, auth);
  assert.deepEqual(res.json().cards, []);
  assert.equal(res.json().meta.total_count, 0);
  const byIds = await get(`/v2/cards?ids[]=${byHolder.owner[0]!.id}&ids[]=${byHolder.employee[0]!.id}`, auth);
  assert.deepEqual(sortedIds(byIds.json().cards), [byHolder.employee[0]!.id]);
  const search = await get('/v2/cards?query=olivia', auth);
  assert.deepEqual(search.json().cards, []);
});

test('a manager without a team sees only their own cards', async () => {
  await db.updateTable('memberships').set({ team_id: null }).where('id', '=', org.manager.id).execute();
  try {
    const res = await get('/v2/cards', org.manager.auth);
    assert.deepEqual(sortedIds(res.json().cards), sortedIds(byHolder.manager));
  } finally {
    await db.updateTable('memberships').set({ team_id: org.teamId }).where('id', '=', org.manager.id).execute();
  }
});

test('no role of one organization sees another organization\'s cards', async () => {
  for (const member of [org.owner, org.admin, org.reporting, org.manager, org.employee]) {
    const res = await get(`/v2/cards?ids[]=${foreign[0]!.id}&ids[]=${foreign[1]!.id}`, member.auth);
    assert.deepEqual(res.json().cards, []);
    for (const card of foreign) assert.equal((await get(`/v2/cards/${card.id}`, member.auth)).statusCode, 404);
  }
  const theirs = await get('/v2/cards', other.owner.auth);
  assert.deepEqual(sortedIds(theirs.json().cards), sortedIds(foreign));
});
