import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApp } from '../helpers/app.ts';
import { createOrgFixture } from '../helpers/fixtures.ts';

const { app, deps } = await startTestApp({ webhookAllowLoopback: false });
const db = deps.engine.db;
const URL_OK = 'https://hooks.example.com/qonto';

const post = (auth: string, payload: unknown) =>
  app.inject({ method: 'POST', url: '/v2/webhook_subscriptions', headers: { authorization: auth }, payload: payload as object });

test('creating a subscription answers 201 with the flat object and a generated 50-character secret', async () => {
  const org = await createOrgFixture(db);
  const res = await post(org.admin.auth, { callback_url: URL_OK, types: ['v1/cards'], description: 'cards' });
  assert.equal(res.statusCode, 201);
  const body = res.json();
  assert.deepEqual(Object.keys(body), ['id', 'organization_id', 'membership_id', 'callback_url', 'types', 'created_at', 'updated_at', 'description', 'secret']);
  assert.equal(body.organization_id, org.id);
  assert.equal(body.membership_id, org.admin.id);
  assert.deepEqual(body.types, ['v1/cards']);
  assert.match(body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.match(body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('a given secret is kept, and description is omitted when unset; GET never shows the secret', async () => {
  const org = await createOrgFixture(db);
  const secret = 's'.repeat(32);
  const created = (await post(org.owner.auth, { callback_url: URL_OK, types: ['v1/cards', 'v1/transactions'], secret })).json();
  assert.equal(created.secret, secret);
  assert.equal('description' in created, false);
  const got = await app.inject({ method: 'GET', url: `/v2/webhook_subscriptions/${created.id}`, headers: { authorization: org.owner.auth } });
  assert.equal(got.statusCode, 200);
  const { secret: _s, ...withoutSecret } = created;
  assert.deepEqual(got.json(), withoutSecret);
});

test('a secret outside 32..128 characters, an unknown type, no type or an unknown field is a flat 400 naming the field', async () => {
  const org = await createOrgFixture(db);
  const cases: Array<[unknown, string]> = [
    [{ callback_url: URL_OK, types: ['v1/cards'], secret: 'short' }, '/secret'],
    [{ callback_url: URL_OK, types: ['v1/cards'], secret: 'x'.repeat(129) }, '/secret'],
    [{ callback_url: URL_OK, types: ['v1/nothing'] }, '/types/0'],
    [{ callback_url: URL_OK, types: [] }, '/types'],
    [{ callback_url: URL_OK }, '/types'],
    [{ types: ['v1/cards'] }, '/callback_url'],
    [{ callback_url: URL_OK, types: ['v1/cards'], extra: 1 }, '/extra'],
    [{ callback_url: `https://example.com/${'a'.repeat(600)}`, types: ['v1/cards'] }, '/callback_url'],
    [{ callback_url: 'http://hooks.example.com/', types: ['v1/cards'] }, '/callback_url'],
    [{ callback_url: 'not a url', types: ['v1/cards'] }, '/callback_url'],
  ];
  for (const [payload, pointer] of cases) {
    const res = await post(org.owner.auth, payload);
    assert.equal(res.statusCode, 400, JSON.stringify(payload));
    const body = res.json();
    assert.equal(body.errors, undefined);
    assert.equal(typeof body.code, 'string');
    assert.equal(typeof body.detail, 'string');
    assert.deepEqual(body.source, { pointer }, JSON.stringify(payload));
  }
});

test('without the webhook scope the answer is a flat 403; v1/cards also needs card.read', async () => {
  const org = await createOrgFixture(db);
  const noWebhook = await org.token(org.owner, ['card.read']);
  const res = await post(noWebhook, { callback_url: URL_OK, types: ['v1/cards'] });
  assert.equal(res.statusCode, 403);
  assert.match(res.json().detail, /webhook/);
  const webhookOnly = await org.token(org.owner, ['webhook']);
  const cards = await post(webhookOnly, { callback_url: URL_OK, types: ['v1/cards'] });
  assert.equal(cards.statusCode, 403);
  assert.match(cards.json().detail, /card\.read/);
  assert.equal((await post(webhookOnly, { callback_url: URL_OK, types: ['v1/transactions'] })).statusCode, 201);
});

test('without credentials the answer is a flat 401', async () => {
  const res = await app.inject({ method: 'GET', url: '/v2/webhook_subscriptions' });
  assert.equal(res.statusCode, 401);
  assert.equal(res.json().code, 'unauthorized');
});

test('the list holds only the caller\'s subscriptions, paginated with meta', async () => {
  const org = await createOrgFixture(db);
  for (let i = 0; i < 3; i++) await post(org.admin.auth, { callback_url: `${URL_OK}/${i}`, types: ['v1/cards'] });
  await post(org.owner.auth, { callback_url: URL_OK, types: ['v1/cards'] });
  const res = await app.inject({ method: 'GET', url: '/v2/webhook_subscriptions?per_page=2&page=1', headers: { authorization: org.admin.auth } });
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.deepEqual(Object.keys(body), ['subscriptions', 'meta']);
  assert.equal(body.subscriptions.length, 2);
  assert.ok(body.subscriptions.every((s: { membership_id: string; secret?: string }) => s.membership_id === org.admin.id && s.secret === undefined));
  assert.deepEqual(body.meta, { current_page: 1, next_page: 2, prev_page: null, total_pages: 2, total_count: 3, per_page: 2 });
  const bad = await app.inject({ method: 'GET', url: '/v2/webhook_subscriptions?per_page=500', headers: { authorization: org.admin.auth } });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(bad.json().source, { parameter: 'per_page' });
});

test('PUT replaces the subscription: an omitted description is removed, a secret is refused', async () => {
  const org = await createOrgFixture(db);
  const created = (await post(org.owner.auth, { callback_url: URL_OK, types: ['v1/cards'], description: 'old' })).json();
  const url = `/v2/webhook_subscriptions/${created.id}`;
  const res = await app.inject({ method: 'PUT', url, headers: { authorization: org.owner.auth }, payload: { callback_url: `${URL_OK}/v2`, types: ['v1/cards', 'v1/accounts'] } });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().callback_url, `${URL_OK}/v2`);
  assert.deepEqual(res.json().types, ['v1/cards', 'v1/accounts']);
  assert.equal('description' in res.json(), false);
  const missing = await app.inject({ method: 'PUT', url, headers: { authorization: org.owner.auth }, payload: { types: ['v1/cards'] } });
  assert.equal(missing.statusCode, 400);
  assert.deepEqual(missing.json().source, { pointer: '/callback_url' });
  const secret = await app.inject({ method: 'PUT', url, headers: { authorization: org.owner.auth }, payload: { callback_url: URL_OK, types: ['v1/cards'], secret: 'x'.repeat(40) } });
  assert.equal(secret.statusCode, 400);
});

test("another member's or organization's subscription, or a malformed id, is a flat 404 on GET, PUT and DELETE", async () => {
  const org = await createOrgFixture(db);
  const other = await createOrgFixture(db);
  const created = (await post(org.owner.auth, { callback_url: URL_OK, types: ['v1/cards'] })).json();
  for (const auth of [org.admin.auth, other.owner.auth]) {
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const res = await app.inject({ method, url: `/v2/webhook_subscriptions/${created.id}`, headers: { authorization: auth },
        ...(method === 'PUT' ? { payload: { callback_url: URL_OK, types: ['v1/cards'] } } : {}) });
      assert.equal(res.statusCode, 404, method);
      assert.deepEqual(res.json().source, { parameter: 'id' });
    }
  }
  const malformed = await app.inject({ method: 'GET', url: '/v2/webhook_subscriptions/nope', headers: { authorization: org.owner.auth } });
  assert.equal(malformed.statusCode, 404);
});

test('DELETE answers 204 with no body, then the subscription is gone', async () => {
  const org = await createOrgFixture(db);
  const created = (await post(org.owner.auth, { callback_url: URL_OK, types: ['v1/cards'] })).json();
  const res = await app.inject({ method: 'DELETE', url: `/v2/webhook_subscriptions/${created.id}`, headers: { authorization: org.owner.auth } });
  assert.equal(res.statusCode, 204);
  assert.equal(res.body, '');
  const again = await app.inject({ method: 'DELETE', url: `/v2/webhook_subscriptions/${created.id}`, headers: { authorization: org.owner.auth } });
  assert.equal(again.statusCode, 404);
});

test('a page beyond what SQL can offset is a 400 naming page, on the subscriptions list and the event log', async () => {
  const org = await createOrgFixture(db);
  const list = await app.inject({ method: 'GET', url: '/v2/webhook_subscriptions?page=100000000000000000000', headers: { authorization: org.owner.auth } });
  assert.equal(list.statusCode, 400, list.body);
  assert.equal(list.json().source.parameter, 'page');
  const created = await post(org.owner.auth, { callback_url: URL_OK, types: ['v1/cards'] });
  const events = await app.inject({
    method: 'GET', url: `/qcards/webhooks/v1/subscriptions/${created.json().id}/events?page=2147483648`, headers: { authorization: org.owner.auth },
  });
  assert.equal(events.statusCode, 400, events.body);
  assert.equal(events.json().errors[0].source.parameter, 'page');
});

test('X-Qonto-Idempotency-Key: a repeated create makes one subscription and answers the first 201 again; a repeated delete answers 204 again', async () => {
  const org = await createOrgFixture(db);
  const key = crypto.randomUUID();
  const create = () => app.inject({
    method: 'POST', url: '/v2/webhook_subscriptions', headers: { authorization: org.owner.auth, 'x-qonto-idempotency-key': key },
    payload: { callback_url: URL_OK, types: ['v1/cards'] },
  });
  const [first, second] = await Promise.all([create(), create()]);
  assert.equal(first!.statusCode, 201);
  assert.equal(second!.statusCode, 201);
  assert.equal(second!.body, first!.body);
  const list = await app.inject({ method: 'GET', url: '/v2/webhook_subscriptions', headers: { authorization: org.owner.auth } });
  assert.deepEqual(list.json().subscriptions.map((s: { id: string }) => s.id), [first!.json().id]);
  const deleteKey = crypto.randomUUID();
  const del = () => app.inject({
    method: 'DELETE', url: `/v2/webhook_subscriptions/${first!.json().id}`, headers: { authorization: org.owner.auth, 'x-qonto-idempotency-key': deleteKey },
  });
  const removed = await del();
  assert.equal(removed.statusCode, 204);
  const again = await del();
  assert.equal(again.statusCode, 204);
  assert.equal(again.headers['x-qonto-idempotent-replay'], 'true');
  // A key reused for another request is refused, in this API's flat error format.
  const reused = await app.inject({
    method: 'PUT', url: `/v2/webhook_subscriptions/${first!.json().id}`, headers: { authorization: org.owner.auth, 'x-qonto-idempotency-key': key },
    payload: { callback_url: URL_OK, types: ['v1/cards'] },
  });
  assert.equal(reused.statusCode, 422, reused.body);
  assert.equal(reused.json().code, 'idempotency_key_reused');
});
