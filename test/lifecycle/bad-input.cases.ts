import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { TestContext } from '../helpers/app.ts';
import { createOrgFixture } from '../helpers/fixtures.ts';
import { ADDRESS, createCard, eventsOf, makeCard, newCardBody, patch } from '../helpers/lifecycle.ts';

// Input that passed validation and failed in SQL (a 500), or was silently accepted: each is a 400 naming the
// field, and changes nothing.

export async function badInputTests(ctx: TestContext): Promise<void> {
  const { app, deps } = ctx;
  const db = deps.engine.db;
  const org = await createOrgFixture(db);

  test('an id with a urn:uuid: prefix is a 400 naming the field, in a create and in a bulk create', async () => {
    const res = await createCard(app, org.owner.auth, newCardBody(org, 'virtual', { holder_id: `urn:uuid:${org.employee.id}` }));
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().errors[0].source.pointer, '/card/holder_id');
    const bulk = await app.inject({
      method: 'POST', url: '/v2/cards/bulk', headers: { authorization: org.owner.auth, 'x-qonto-idempotency-key': randomUUID() },
      payload: { cards: [{ card: newCardBody(org, 'virtual', { bank_account_id: `urn:uuid:${org.accounts[0]}` }) }] },
    });
    assert.equal(bulk.statusCode, 400, bulk.body);
    assert.equal(bulk.json().errors[0].source.pointer, '/cards/0/card/bank_account_id');
  });

  test('a NUL character in any string of a body is a 400 naming where it is, and nothing changes', async () => {
    const card = await makeCard(app, org, 'virtual');
    const res = await patch(app, org.owner, card.id, 'nickname', { nickname: 'a\u0000b' });
    assert.equal(res.statusCode, 400, res.body);
    assert.deepEqual(res.json().errors[0].source, { pointer: '/card/nickname' });
    assert.deepEqual(await eventsOf(db, card.id), ['created']);
    const create = await createCard(app, org.owner.auth, newCardBody(org, 'standard', { address: { ...ADDRESS, first_line: '1\u0000 rue' } }));
    assert.equal(create.statusCode, 400, create.body);
    assert.deepEqual(create.json().errors[0].source, { pointer: '/card/address/first_line' });
    const key = await patch(app, org.owner, card.id, 'nickname', { ['nick\u0000name']: 'x' });
    assert.equal(key.statusCode, 400, key.body);
  });

  test('a deeply nested body (600 KB of arrays) is a 400, not a stack overflow', async () => {
    const card = await makeCard(app, org, 'virtual');
    const res = await app.inject({
      method: 'PATCH', url: `/v2/cards/${card.id}/nickname`, headers: { authorization: org.owner.auth, 'content-type': 'application/json' },
      payload: '['.repeat(300_000) + ']'.repeat(300_000),
    });
    assert.equal(res.statusCode, 400, res.body.slice(0, 200));
  });

  test('a body that is not JSON is a 400 invalid_json', async () => {
    const card = await makeCard(app, org, 'virtual');
    const res = await app.inject({
      method: 'PATCH', url: `/v2/cards/${card.id}/nickname`, headers: { authorization: org.owner.auth, 'content-type': 'application/json' }, payload: '{"card":',
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().errors[0].code, 'invalid_json');
  });

  test('the body-less writes take no body, null or {}, and refuse any field', async () => {
    const card = await makeCard(app, org, 'virtual');
    const put = (action: string, payload?: string) => app.inject({
      method: 'PUT', url: `/v2/cards/${card.id}/${action}`,
      headers: { authorization: org.owner.auth, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, payload,
    });
    const refused = await put('lock', '{"reason":"lost it"}');
    assert.equal(refused.statusCode, 400, refused.body);
    assert.deepEqual(await eventsOf(db, card.id), ['created']);
    assert.equal((await put('lock', '{}')).statusCode, 200);
    assert.equal((await put('unlock', 'null')).statusCode, 200);
    assert.equal((await put('lock')).statusCode, 200);
    assert.equal((await put('unlock', '')).statusCode, 200);
    assert.deepEqual(await eventsOf(db, card.id), ['created', 'locked', 'unlocked', 'locked', 'unlocked']);
  });
}
