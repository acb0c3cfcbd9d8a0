import assert from 'node:assert/strict';
import { test } from 'node:test';
import { revokeCredential } from '../../src/services/credentials.ts';
import { createBankAccount } from '../../src/services/organizations.ts';
import { startTestApp } from '../helpers/app.ts';
import { createOrgFixture } from '../helpers/fixtures.ts';

const { app, deps } = await startTestApp();
const db = deps.engine.db;

const get = (url: string, authorization?: string) =>
  app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const META_KEYS = ['current_page', 'next_page', 'prev_page', 'total_pages', 'total_count', 'per_page'];

test('GET /v2/memberships lists every membership of the organization with exactly Qonto\'s keys', async () => {
  const org = await createOrgFixture(db);
  await createOrgFixture(db); // another organization, never listed
  const res = await get('/v2/memberships', org.reporting.auth);
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.deepEqual(Object.keys(body), ['memberships', 'meta']);
  assert.deepEqual(Object.keys(body.meta), META_KEYS);
  assert.deepEqual(body.meta, { current_page: 1, next_page: null, prev_page: null, total_pages: 1, total_count: 6, per_page: 100 });
  const ids = body.memberships.map((m: { id: string }) => m.id).sort();
  assert.deepEqual(ids, [org.owner, org.admin, org.manager, org.employee, org.outsider, org.reporting].map((m) => m.id).sort());
  for (const m of body.memberships) {
    assert.deepEqual(Object.keys(m), ['id', 'first_name', 'last_name', 'role', 'residence_country', 'birthdate', 'nationality', 'ubo', 'birth_country', 'status', 'team_id']);
    assert.match(m.id, UUID);
    assert.equal(typeof m.first_name, 'string');
    assert.ok(['owner', 'admin', 'manager', 'employee', 'reporting'].includes(m.role));
    assert.equal(typeof m.ubo, 'boolean');
    assert.ok(m.birthdate === null || /^\d{4}-\d{2}-\d{2}$/.test(m.birthdate));
    assert.ok(m.team_id === null || UUID.test(m.team_id));
  }
  const manager = body.memberships.find((m: { id: string }) => m.id === org.manager.id);
  assert.equal(manager.team_id, org.teamId);
  assert.equal(manager.role, 'manager');
});

test('GET /v2/memberships pages with per_page and reports meta like the cards list', async () => {
  const org = await createOrgFixture(db);
  const seen: string[] = [];
  for (let page = 1; page <= 3; page++) {
    const body = (await get(`/v2/memberships?per_page=2&page=${page}`, org.owner.auth)).json();
    assert.deepEqual(body.meta, {
      current_page: page, next_page: page < 3 ? page + 1 : null, prev_page: page > 1 ? page - 1 : null,
      total_pages: 3, total_count: 6, per_page: 2,
    });
    assert.equal(body.memberships.length, 2);
    seen.push(...body.memberships.map((m: { id: string }) => m.id));
  }
  assert.equal(new Set(seen).size, 6);
  const past = (await get('/v2/memberships?per_page=2&page=9', org.owner.auth)).json();
  assert.deepEqual(past.memberships, []);
  assert.deepEqual(past.meta, { current_page: 9, next_page: null, prev_page: 8, total_pages: 3, total_count: 6, per_page: 2 });
});

test('GET /v2/memberships rejects bad page and per_page with a 400 naming the parameter', async () => {
  const org = await createOrgFixture(db);
  const cases: Array<[string, string]> = [
    ['page=0', 'page'], ['page=-1', 'page'], ['page=abc', 'page'], ['page=1.5', 'page'], ['page=99999999999999', 'page'],
    ['per_page=0', 'per_page'], ['per_page=101', 'per_page'], ['per_page=x', 'per_page'],
    // The cards list's rules (README): digits only.
    ['per_page=1e1', 'per_page'], ['per_page=0x10', 'per_page'], ['per_page=%2B5', 'per_page'], ['per_page=%205', 'per_page'], ['per_page=5.0', 'per_page'],
  ];
  for (const [query, parameter] of cases) {
    const res = await get(`/v2/memberships?${query}`, org.owner.auth);
    assert.equal(res.statusCode, 400, query);
    const body = res.json();
    assert.equal(body.errors[0].source.parameter, parameter, query);
    assert.equal(typeof body.errors[0].code, 'string');
    assert.match(body.errors[0].detail, new RegExp(parameter));
    assert.equal(typeof body.trace_id, 'string');
  }
  // As on the cards list: a repeated parameter takes its last value, an empty one its default.
  const repeated = await get('/v2/memberships?per_page=1&page=1&page=2', org.owner.auth);
  assert.equal(repeated.statusCode, 200);
  assert.equal(repeated.json().meta.current_page, 2);
  assert.equal((await get('/v2/memberships?page=&per_page=', org.owner.auth)).json().meta.per_page, 100);
  // Unknown parameters are ignored, as on Qonto.
  assert.equal((await get('/v2/memberships?foo=bar', org.owner.auth)).statusCode, 200);
});

test('GET /v2/membership returns the caller\'s own membership with Qonto\'s keys', async () => {
  const org = await createOrgFixture(db);
  const res = await get('/v2/membership', org.manager.auth);
  assert.equal(res.statusCode, 200);
  const { membership } = res.json();
  assert.deepEqual(Object.keys(membership), ['id', 'first_name', 'last_name', 'email', 'phone_number', 'position', 'status', 'role', 'locale', 'team_id', 'kyc_status']);
  assert.equal(membership.id, org.manager.id);
  assert.equal(membership.role, 'manager');
  assert.equal(membership.team_id, org.teamId);
  assert.equal(membership.first_name, 'Manon');
  assert.equal(membership.kyc_status, 'accepted');
  for (const key of ['email', 'phone_number', 'position', 'status', 'locale']) assert.equal(typeof membership[key], 'string', key);
  // The API key form resolves to the same membership.
  const viaKey = await get('/v2/membership', await org.token(org.employee, ['membership.read'], 'api_key'));
  assert.equal(viaKey.json().membership.id, org.employee.id);
});

test('GET /v2/organization returns the caller\'s organization and its Qonto bank accounts', async () => {
  const org = await createOrgFixture(db);
  const other = await createOrgFixture(db);
  const external = await createBankAccount(db, org.id, { name: 'External bank' });
  await db.updateTable('bank_accounts').set({ is_external_account: true }).where('id', '=', external.id).execute();
  await db.updateTable('bank_accounts').set({ balance_cents: 1234567, authorized_balance_cents: 1200000 }).where('id', '=', org.accounts[0]).execute();

  const res = await get('/v2/organization', org.employee.auth);
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.deepEqual(Object.keys(body), ['organization']);
  const o = body.organization;
  assert.deepEqual(Object.keys(o), [
    'id', 'name', 'slug', 'legal_name', 'locale', 'legal_share_capital', 'legal_country', 'legal_registration_date',
    'legal_form', 'legal_address', 'legal_sector', 'contract_signed_at', 'legal_number', 'bank_accounts',
  ]);
  assert.equal(o.id, org.id);
  assert.equal(o.slug, org.slug);
  assert.equal(typeof o.legal_share_capital, 'number');
  assert.deepEqual(o.bank_accounts.map((a: { id: string }) => a.id), org.accounts);
  for (const a of o.bank_accounts) {
    assert.deepEqual(Object.keys(a), [
      'id', 'slug', 'iban', 'bic', 'currency', 'balance', 'balance_cents', 'authorized_balance',
      'authorized_balance_cents', 'name', 'updated_at', 'status', 'main', 'is_external_account', 'account_number',
    ]);
    assert.match(a.iban, /^FR\d{25}$/);
    assert.equal(a.is_external_account, false);
    assert.equal(typeof a.main, 'boolean');
    assert.equal(typeof a.account_number, 'string');
    assert.ok(!Number.isNaN(Date.parse(a.updated_at)));
  }
  const main = o.bank_accounts[0];
  assert.equal(main.balance, 12345.67);
  assert.equal(main.balance_cents, 1234567);
  assert.equal(main.authorized_balance, 12000);
  assert.equal(main.main, true);
  assert.ok(!o.bank_accounts.some((a: { id: string }) => other.accounts.includes(a.id)));

  const all = (await get('/v2/organization?include_external_accounts=true', org.employee.auth)).json();
  assert.deepEqual(all.organization.bank_accounts.map((a: { id: string }) => a.id), [...org.accounts, external.id]);
  assert.equal(all.organization.bank_accounts[2].is_external_account, true);

  const bad = await get('/v2/organization?include_external_accounts=maybe', org.employee.auth);
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().errors[0].source.parameter, 'include_external_accounts');
});

for (const url of ['/v2/memberships', '/v2/membership', '/v2/organization']) {
  test(`${url} answers 401 for missing, malformed, unknown and revoked credentials in both forms`, async () => {
    const org = await createOrgFixture(db);
    const bearer = await org.token(org.owner, ['organization.read', 'membership.read']);
    const apiKey = await org.token(org.owner, ['organization.read', 'membership.read'], 'api_key');
    assert.equal((await get(url, bearer)).statusCode, 200);
    assert.equal((await get(url, apiKey)).statusCode, 200);
    const rows = await db.selectFrom('credentials').select('id').where('membership_id', '=', org.owner.id).orderBy('created_at', 'desc').limit(2).execute();
    for (const r of rows) await revokeCredential(db, deps.clock, r.id);
    for (const header of [undefined, '', 'Basic abc', 'nocolon', 'Bearer unknown-token', `${apiKey.split(':')[0]}:wrong`, bearer, apiKey]) {
      const res = await get(url, header);
      assert.equal(res.statusCode, 401, String(header));
      const body = res.json();
      assert.equal(body.errors[0].code, 'unauthorized');
      assert.equal(typeof body.errors[0].detail, 'string');
      assert.equal(typeof body.trace_id, 'string');
    }
  });
}

test('a credential without the endpoint\'s scope gets a 403 naming the scope', async () => {
  const org = await createOrgFixture(db);
  const cardsOnly = await org.token(org.owner, ['card.read']);
  for (const [url, scope] of [['/v2/memberships', 'organization.read'], ['/v2/membership', 'membership.read'], ['/v2/organization', 'organization.read']]) {
    const res = await get(url!, cardsOnly);
    assert.equal(res.statusCode, 403, url);
    assert.equal(res.json().errors[0].code, 'forbidden');
    assert.match(res.json().errors[0].detail, new RegExp(scope!.replace('.', '\\.')));
  }
});
