import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { SCOPES } from '../../src/domain/scopes.ts';
import { startTestApp } from '../helpers/app.ts';
import { createOrgFixture, insertTestCards } from '../helpers/fixtures.ts';

const { app, deps } = await startTestApp({ operatorToken: 'op-secret' });
const db = deps.engine.db;
const OP = { authorization: 'Bearer op-secret' };
const BASE = '/qcards/operator/v1';

const op = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = OP) =>
  app.inject({ method, url: BASE + url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

test('the operator API is closed without a configured token and rejects a wrong or missing one', async () => {
  const { app: closed } = await startTestApp({ operatorToken: undefined });
  const res = await closed.inject({ method: 'GET', url: `${BASE}/organizations`, headers: OP });
  assert.equal(res.statusCode, 403);
  assert.match(res.json().errors[0].detail, /QCARDS_OPERATOR_TOKEN/);
  for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong' }, { authorization: 'op-secret' }, { authorization: 'Bearer op-secret-longer' }]) {
    const r = await op('GET', '/organizations', undefined, headers);
    assert.equal(r.statusCode, 401, JSON.stringify(headers));
    assert.equal(r.json().errors[0].code, 'unauthorized');
    assert.equal(typeof r.json().trace_id, 'string');
  }
  // A Qonto credential is not an operator token.
  const org = await createOrgFixture(db);
  assert.equal((await op('GET', '/organizations', undefined, { authorization: org.owner.auth })).statusCode, 401);
});

test('creating an organization with an owner, a credential and a bank account gives a working Qonto credential', async () => {
  const res = await op('POST', '/organizations', {
    name: 'Acme Rockets',
    legal_country: 'FR',
    owner: { first_name: 'Wile', last_name: 'Coyote', email: 'wile@acme.test', credential: { kind: 'api_key' } },
    bank_account: { name: 'Main account', balance_cents: 500000 },
  });
  assert.equal(res.statusCode, 201, res.body);
  const { organization, credential } = res.json();
  assert.equal(organization.name, 'Acme Rockets');
  assert.match(organization.slug, /^acme-rockets-\d{4}$/);
  assert.equal(organization.memberships.length, 1);
  assert.equal(organization.memberships[0].role, 'owner');
  assert.equal(organization.memberships[0].email, 'wile@acme.test');
  assert.equal(organization.bank_accounts.length, 1);
  assert.equal(organization.bank_accounts[0].main, true);
  assert.equal(organization.bank_accounts[0].balance_cents, 500000);
  assert.equal(organization.card_count, 0);
  assert.equal(credential.kind, 'api_key');
  assert.deepEqual(credential.scopes, [...SCOPES]);
  assert.equal(credential.authorization, `${credential.login}:${credential.secret}`);
  assert.equal(credential.membership_id, organization.memberships[0].id);

  const me = await app.inject({ method: 'GET', url: '/v2/organization', headers: { authorization: credential.authorization } });
  assert.equal(me.statusCode, 200);
  assert.equal(me.json().organization.id, organization.id);
  assert.equal(me.json().organization.bank_accounts[0].balance, 5000);

  const got = await op('GET', `/organizations/${organization.id}`);
  assert.equal(got.statusCode, 200);
  assert.deepEqual(got.json().organization, organization);
});

test('a bare organization needs only a name, and credential is null when not asked for', async () => {
  const res = await op('POST', '/organizations', { name: 'Bare' });
  assert.equal(res.statusCode, 201);
  assert.equal(res.json().credential, null);
  assert.deepEqual(res.json().organization.memberships, []);
  assert.deepEqual(res.json().organization.bank_accounts, []);
});

test('teams, memberships, bank accounts and credentials are created under an organization', async () => {
  const { organization } = (await op('POST', '/organizations', { name: 'Fixture Co', slug: `fixture-${randomUUID().slice(0, 8)}` })).json();
  const team = await op('POST', `/organizations/${organization.id}/teams`, { name: 'Marketing' });
  assert.equal(team.statusCode, 201);
  assert.deepEqual(Object.keys(team.json().team), ['id', 'organization_id', 'name', 'created_at']);

  const manager = await op('POST', `/organizations/${organization.id}/memberships`, {
    first_name: 'Mina', last_name: 'Manager', role: 'manager', team_id: team.json().team.id, birthdate: '1990-04-12',
    credential: { kind: 'access_token', scopes: ['membership.read'] },
  });
  assert.equal(manager.statusCode, 201, manager.body);
  const m = manager.json();
  assert.equal(m.membership.team_id, team.json().team.id);
  assert.equal(m.membership.birthdate, '1990-04-12');
  assert.match(m.membership.email, /@/);
  assert.match(m.credential.authorization, /^Bearer qat_/);
  const me = (await app.inject({ method: 'GET', url: '/v2/membership', headers: { authorization: m.credential.authorization } })).json();
  assert.equal(me.membership.id, m.membership.id);
  assert.equal(me.membership.role, 'manager');

  const account = await op('POST', `/organizations/${organization.id}/bank_accounts`, { name: 'Savings', balance_cents: 100, is_external_account: true });
  assert.equal(account.statusCode, 201);
  assert.equal(account.json().bank_account.is_external_account, true);
  assert.equal(account.json().bank_account.authorized_balance_cents, 100);
  assert.match(account.json().bank_account.iban, /^FR\d{25}$/);

  const key = await op('POST', `/memberships/${m.membership.id}/credentials`, { kind: 'api_key', scopes: ['organization.read'], label: 'ci' });
  assert.equal(key.statusCode, 201);
  const { credential } = key.json();
  assert.deepEqual(Object.keys(credential), ['id', 'kind', 'membership_id', 'organization_id', 'scopes', 'login', 'secret', 'authorization']);
  const h = { authorization: credential.authorization };
  assert.equal((await app.inject({ method: 'GET', url: '/v2/memberships', headers: h })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/v2/membership', headers: h })).statusCode, 403);

  const revoked = await op('DELETE', `/credentials/${credential.id}`);
  assert.equal(revoked.statusCode, 204);
  assert.equal(revoked.body, '');
  assert.equal((await app.inject({ method: 'GET', url: '/v2/memberships', headers: h })).statusCode, 401);
  assert.equal((await op('DELETE', `/credentials/${credential.id}`)).statusCode, 204);

  const detail = (await op('GET', `/organizations/${organization.id}`)).json().organization;
  assert.equal(detail.teams.length, 1);
  assert.equal(detail.memberships.length, 1);
  assert.equal(detail.bank_accounts.length, 1);
});

test('a new main bank account takes the main flag from the previous one', async () => {
  const { organization } = (await op('POST', '/organizations', { name: 'Two Mains', bank_account: { name: 'First' } })).json();
  await op('POST', `/organizations/${organization.id}/bank_accounts`, { name: 'Second', main: true });
  const accounts = (await op('GET', `/organizations/${organization.id}`)).json().organization.bank_accounts;
  assert.deepEqual(accounts.map((a: { name: string; main: boolean }) => [a.name, a.main]), [['First', false], ['Second', true]]);
});

test('unknown body fields and invalid values are a 400 naming the field', async () => {
  const org = (await op('POST', '/organizations', { name: 'Strict' })).json().organization;
  const cases: Array<[string, unknown, string]> = [
    ['/organizations', { name: 'X', colour: 'red' }, '/colour'],
    ['/organizations', { name: 'X', owner: { first_name: 'A', last_name: 'B', age: 3 } }, '/owner/age'],
    ['/organizations', {}, '/name'],
    ['/organizations', { name: 'X', slug: 'Not A Slug' }, '/slug'],
    [`/organizations/${org.id}/memberships`, { first_name: 'A', last_name: 'B', role: 'boss' }, '/role'],
    [`/organizations/${org.id}/memberships`, { first_name: 'A', last_name: 'B', role: 'admin', email: 'nope' }, '/email'],
    [`/organizations/${org.id}/memberships`, { first_name: 'A', last_name: 'B', role: 'admin', credential: { kind: 'api_key', scopes: ['cards.everything'] } }, '/credential/scopes/0'],
    [`/organizations/${org.id}/teams`, { name: 'T', extra: true }, '/extra'],
    [`/organizations/${org.id}/bank_accounts`, { name: 'A', balance_cents: 1.5 }, '/balance_cents'],
  ];
  for (const [url, body, pointer] of cases) {
    const res = await op('POST', url, body);
    assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(body)}: ${res.body}`);
    assert.ok(res.json().errors.some((e: { source: { pointer: string } }) => e.source.pointer === pointer), `${pointer} in ${res.body}`);
  }
  const badJson = await app.inject({ method: 'POST', url: `${BASE}/organizations`, headers: { ...OP, 'content-type': 'application/json' }, payload: '{"name":' });
  assert.equal(badJson.statusCode, 400);
});

test('a team of another organization and a taken slug are 422s', async () => {
  const a = (await op('POST', '/organizations', { name: 'A' })).json().organization;
  const b = (await op('POST', '/organizations', { name: 'B' })).json().organization;
  const teamOfB = (await op('POST', `/organizations/${b.id}/teams`, { name: 'B team' })).json().team;
  const res = await op('POST', `/organizations/${a.id}/memberships`, { first_name: 'X', last_name: 'Y', role: 'employee', team_id: teamOfB.id });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json().errors[0].source.pointer, '/team_id');
  const dup = await op('POST', '/organizations', { name: 'Dup', slug: a.slug });
  assert.equal(dup.statusCode, 422);
  assert.equal(dup.json().errors[0].source.pointer, '/slug');
  // Nothing of the failed calls was created.
  assert.equal((await op('GET', `/organizations/${a.id}`)).json().organization.memberships.length, 0);
});

test('unknown and malformed ids are 404s naming the path parameter', async () => {
  const cases: Array<['GET' | 'POST' | 'DELETE', string, unknown, string]> = [
    ['GET', `/organizations/${randomUUID()}`, undefined, 'organization_id'],
    ['GET', '/organizations/not-a-uuid', undefined, 'organization_id'],
    ['DELETE', `/organizations/${randomUUID()}`, undefined, 'organization_id'],
    ['POST', `/organizations/${randomUUID()}/teams`, { name: 'T' }, 'organization_id'],
    ['POST', `/organizations/${randomUUID()}/memberships`, { first_name: 'A', last_name: 'B', role: 'owner' }, 'organization_id'],
    ['POST', `/organizations/${randomUUID()}/bank_accounts`, { name: 'A' }, 'organization_id'],
    ['POST', `/memberships/${randomUUID()}/credentials`, { kind: 'api_key' }, 'membership_id'],
    ['POST', '/memberships/123/credentials', { kind: 'api_key' }, 'membership_id'],
    ['DELETE', `/credentials/${randomUUID()}`, undefined, 'credential_id'],
    ['DELETE', '/credentials/zzz', undefined, 'credential_id'],
  ];
  for (const [method, url, body, parameter] of cases) {
    const res = await op(method, url, body);
    assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
    assert.equal(res.json().errors[0].code, 'not_found');
    assert.equal(res.json().errors[0].source.parameter, parameter);
  }
});

test('organizations are listed with Qonto-style pagination', async () => {
  for (let i = 0; i < 3; i++) await op('POST', '/organizations', { name: `Listed ${i}` });
  const first = (await op('GET', '/organizations?per_page=2')).json();
  assert.equal(first.organizations.length, 2);
  assert.deepEqual(Object.keys(first.organizations[0]), ['id', 'name', 'slug', 'legal_name', 'created_at']);
  assert.ok(first.meta.total_count >= 3);
  assert.equal(first.meta.next_page, 2);
  assert.equal((await op('GET', '/organizations?per_page=500')).statusCode, 400);
});

test('deleting an organization deletes everything it owns and nothing else', async () => {
  const org = await createOrgFixture(db);
  const other = await createOrgFixture(db);
  await insertTestCards(db, org, [{ card_level: 'virtual' }, { card_level: 'standard', holder: org.owner }]);
  await insertTestCards(db, other, [{ card_level: 'virtual' }]);
  assert.equal((await op('GET', `/organizations/${org.id}`)).json().organization.card_count, 2);

  assert.equal((await op('DELETE', `/organizations/${org.id}`)).statusCode, 204);
  assert.equal((await op('GET', `/organizations/${org.id}`)).statusCode, 404);
  assert.equal((await op('DELETE', `/organizations/${org.id}`)).statusCode, 404);
  for (const table of ['teams', 'memberships', 'bank_accounts', 'credentials', 'cards', 'card_counts', 'card_count_deltas', 'card_events'] as const) {
    const left = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow();
    assert.equal(Number(left.n), 0, table);
  }
  // The organization's credentials stop working at once; the other organization is untouched.
  assert.equal((await app.inject({ method: 'GET', url: '/v2/organization', headers: { authorization: org.owner.auth } })).statusCode, 401);
  assert.equal((await app.inject({ method: 'GET', url: '/v2/organization', headers: { authorization: other.owner.auth } })).statusCode, 200);
  assert.equal((await op('GET', `/organizations/${other.id}`)).json().organization.card_count, 1);
});
